"""The read-only project pass of print_to_logging (stdlib ``ast``).

Command-line programs keep their prints: Python's Logging HOWTO says print() is right
for "console output for ordinary usage of a command line script or program". A module
is taken for one when it imports a CLI library (click, typer, argparse, cyclopts, fire,
docopt, rich_click) or alembic, calls ``input()``,
or has a ``__main__`` guard (or is a ``__main__.py``) and is not part of the web app:
it builds no FastAPI app or router, declares no route, and no other module of the
project imports it. A module whose functions such a program registers as its
commands (argparse's ``set_defaults(func=handler)``, typer's ``app.command()(handler)``)
is one too, unless it is part of the web app: its prints are the commands' output.

Shared loggers: ``NAME = logging.getLogger(...)`` at module level, so that a module
doing ``from app.core.log import logger`` reuses it instead of getting a second one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.candidates import Candidates, from_results
from fastapi_codemods.analysis.fastapi_names import (
    APP_CLASSES,
    ROUTE_METHODS,
    ROUTER_CLASSES,
)
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.program_model import LEVELS, PROGRAM_FACTS, ProgramModel
from fastapi_codemods.engine.fileinfo import FileInfo

# alembic: env.py and revision scripts run under the ``alembic`` command, whose
# logging config (alembic.ini) hides INFO records of other loggers.
CLI_LIBRARIES = frozenset({"click", "typer", "argparse", "cyclopts", "fire", "docopt", "rich_click", "alembic"})


def program_kind(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> str | None:
    """"program" (a CLI library, alembic, or a prompt), "script" (a ``__main__``
    guard or ``__main__.py`` outside the web app: a program unless the project
    imports it), else None."""
    if imports_cli_library(tree, info.package) or prompts_user(tree):
        return "program"
    if (has_main_guard(tree) or _is_entry_point(info)) and not is_web_app(tree, info.package):
        return "script"
    return None


def _is_entry_point(info: FileInfo) -> bool:
    return PurePosixPath(info.relpath).name == "__main__.py"


def command_handlers(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> frozenset[str]:
    """Absolute names of the imported callables a CLI-library module registers as
    commands: ``set_defaults(func=handler)`` (or ``functools.partial(handler, ...)``)
    and ``app.command(...)(handler)``. Imports inside functions count (command
    tables often import their handlers lazily)."""
    if not imports_cli_library(tree, info.package):
        return frozenset()
    imports = ImportMap(tree, info.package, nested=True)
    found: set[str] = set()
    for call in nodes_of(tree, ast.Call):
        for registered in _registered_callables(call):
            if isinstance(registered, ast.Call) and imports.qualified(registered.func) == "functools.partial":
                registered = registered.args[0] if registered.args else registered
            name = imports.qualified(registered)
            if name is not None:
                found.add(name)
    return frozenset(found)


def _registered_callables(call: ast.Call) -> list[ast.expr]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "set_defaults":
        return [keyword.value for keyword in call.keywords if keyword.arg is not None]
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "command":
        return call.args[:1]
    return []


def imports_cli_library(tree: ast.Module, package: str) -> bool:
    return any(name.split(".")[0] in CLI_LIBRARIES for name in imported_modules(tree, package))


def own_imports(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> frozenset[str]:
    """The modules the file may import, other than itself."""
    return frozenset(name for name in imported_modules(tree, info.package) if name != info.module)


def module_logger_names(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> list[str]:
    """``package.module.NAME`` for each module-level ``NAME = logging.getLogger(...)`` bound once."""
    imports = ImportMap(tree, info.package)
    counts: dict[str, int] = {}
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                if isinstance(node.value, ast.Call) and imports.qualified(node.value.func) == "logging.getLogger":
                    found.append(target.id)
    return [f"{info.module}.{name}" for name in found if counts[name] == 1]


def may_act_on_print(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    """print_candidates' judgement of one file, command-line programs aside."""
    if options["skip_tests"] and not options.get("include_tests") and (info.is_test_file or "pytest" in module_level_packages(tree)):
        return False
    if _imports_builtins(tree):
        return True
    return _names_print(tree, text, options["skip_main_guard"])


def print_calls(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> int:
    """How many ``print(...)`` calls the file holds (what the summary says was kept)."""
    return sum(1 for call in nodes_of(tree, ast.Call) if isinstance(call.func, ast.Name) and call.func.id == "print")


PROGRAM_KINDS = FilePass("print_to_logging.programs", ("__main__", "input(", *CLI_LIBRARIES), program_kind,
                         also=_is_entry_point)
COMMAND_HANDLERS = FilePass("print_to_logging.commands", ("set_defaults", ".command("), command_handlers)
OWN_IMPORTS = FilePass("print_to_logging.imports", ("import",), own_imports)
MODULE_LOGGERS = FilePass("print_to_logging.loggers", ("getLogger",), module_logger_names)
PRINTS = FilePass("print_to_logging.prints", ("print",), may_act_on_print)
PRINT_CALLS = FilePass("print_to_logging.print_calls", ("print",), print_calls)

# The transform's declarations (`PrintToLogging` refers to them), here so the driver
# reads them without importing libcst.
FILE_PASSES = (PROGRAM_KINDS, COMMAND_HANDLERS, OWN_IMPORTS, MODULE_LOGGERS, PRINTS, PRINT_CALLS)
# Appended once PRINT_SITES is defined (end of module): the program model's passes.
OPTIONS = {
    "level": "info",
    "stderr_level": "warning",
    "except_level": "exception",
    "reraise_level": "error",
    "strip_emoji": False,
    "skip_main_guard": True,
    "skip_tests": True,
    "skip_cli": True,
}


def command_line_programs(project) -> frozenset[str]:
    """Relpaths of the project's command-line programs (a `Project`, read-only)."""
    programs: set[str] = set()
    scripts: dict[str, str] = {}
    for _path, info, kind in project.results(PROGRAM_KINDS, {}):
        if kind == "program":
            programs.add(info.relpath)
        elif kind == "script":
            scripts[info.module] = info.relpath
    if scripts:
        # A module importing a script names its last part (``from pkg import tool``).
        last_parts = {module.rpartition(".")[2] for module in scripts}
        importers: set[str] = set()
        for path, _info, imported in project.results(OWN_IMPORTS, {}):
            text = project.text(path) or ""
            if any(part in text for part in last_parts):
                importers.update(imported)
        programs.update(relpath for module, relpath in scripts.items() if module not in importers)
    programs.update(_command_modules(project))
    return frozenset(programs)


def _command_modules(project) -> set[str]:
    """Relpaths of the modules defining the functions a CLI program registers as its
    commands (see `command_handlers`), those that are part of the web app aside."""
    handlers = {name for _, _, names in project.results(COMMAND_HANDLERS, {}) for name in names}
    found: set[str] = set()
    for name in sorted(handlers):
        defined = definition(project, name)
        if defined is None:
            continue
        info, tree, function = defined
        # A registered constant (``set_defaults(config=DEFAULTS)``) makes no command module.
        if _defines_function(tree, function) and not is_web_app(tree, info.package):
            found.add(info.relpath)
    return found


def definition(project, name: str) -> tuple[FileInfo, ast.Module, str] | None:
    """The project module that binds ``name`` (``pkg.mod.function``) other than by
    an import, with its tree and the local name: re-exports are followed through
    each module's top-level imports (``from .show import start as start_show`` in
    ``pkg/__init__.py``). None when ``name`` leads out of the project or in a circle."""
    seen: set[str] = set()
    while name not in seen:
        seen.add(name)
        module, _, attr = name.rpartition(".")
        if module not in project.modules:
            return None
        path, info = project.modules[module]
        tree = project.tree(path)
        if tree is None:
            return None
        target = ImportMap(tree, info.package).names.get(attr)
        if target is None:
            return info, tree, attr
        name = target
    return None


def _defines_function(tree: ast.Module, name: str) -> bool:
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name for node in tree.body)


def imported_modules(tree: ast.Module, package: str) -> Iterator[str]:
    """Every module an import statement anywhere in ``tree`` may load (absolute names)."""
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            if base:
                yield base
            for alias in node.names:
                if alias.name != "*":
                    yield f"{base}.{alias.name}" if base else alias.name


def prompts_user(tree: ast.Module) -> bool:
    """Calls the builtin ``input()``: an interactive console program."""
    imports = ImportMap(tree)
    return "input" not in imports.names and any(
        isinstance(node.func, ast.Name) and node.func.id == "input"
        for node in nodes_of(tree, ast.Call)
    )


def has_main_guard(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.If) and _is_main_test(node.test) for node in tree.body)


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def is_web_app(tree: ast.Module, package: str) -> bool:
    """Builds a FastAPI app or router, or declares routes on an imported one."""
    return web_app_kind(tree, package) is not None


def web_app_kind(tree: ast.Module, package: str) -> str | None:
    """"app" when the module builds a ``FastAPI()`` app, "web" when it builds only
    routers or declares routes on an imported app or router, else None."""
    imports = ImportMap(tree, package)
    owners: set[str] = set()
    web = False
    for node in nodes_of(tree, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(node, ast.Call):
            qualified = imports.qualified(node.func)
            if qualified in APP_CLASSES:
                return "app"
            web = web or qualified in ROUTER_CLASSES
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in ROUTE_METHODS
                    and isinstance(decorator.func.value, ast.Name)
                ):
                    owners.add(decorator.func.value.id)
    return "web" if web or any(owner in imports.names for owner in owners) else None


def module_loggers(project) -> frozenset[str]:
    """``package.module.NAME`` for every module-level ``NAME = logging.getLogger(...)``
    bound once, so that modules importing NAME can reuse it."""
    return frozenset(name for _, _, names in project.results(MODULE_LOGGERS, {}) for name in names)


def print_candidates(project, options, programs: frozenset[str]) -> Candidates:
    """Files where print_to_logging may rewrite a print or report one.

    It acts only where libcst resolves a name to ``builtins.print``: a ``print``
    name (called, passed as a value, ``print >>f``), or anything reached through an
    import of ``builtins``. Files it skips whole (command-line programs, test code)
    and prints inside a ``__main__`` block are silent when the options say so.
    """
    skipped = programs if options["skip_cli"] else frozenset()
    return from_results(project, PRINTS, options, lambda info, acts: acts and info.relpath not in skipped)


def module_level_packages(tree: ast.Module) -> set[str]:
    """Top-level packages imported in the module's own scope (not in functions or
    classes), as libcst's global scope sees them."""
    packages: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            packages.add(node.module.split(".")[0])
        pending.extend(ast.iter_child_nodes(node))
    return packages


def _imports_builtins(tree: ast.Module) -> bool:
    return any(
        (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "builtins" for alias in node.names))
        or (isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "builtins")
        for node in nodes_of(tree, ast.Import, ast.ImportFrom)
    )


def _names_print(tree: ast.Module, text: str, skip_main_guard: bool) -> bool:
    """A ``print`` name (any context) or ``global print``, outside ``__main__`` blocks
    when those are skipped (their test and ``else`` branch still count)."""
    return bool(print_sites(tree, text, skip_main_guard))


def print_sites(tree: ast.Module, text: str, skip_main_guard: bool) -> list[ast.AST]:
    """The ``print`` names (and ``global print``) `_names_print` counts, in source order."""
    hits: list[ast.AST] = [node for node in nodes_of(tree, ast.Name) if node.id == "print"]
    hits.extend(node for node in nodes_of(tree, ast.Global, ast.Nonlocal) if "print" in node.names)
    hits.sort(key=_start)
    if not hits or not skip_main_guard:
        return hits
    guarded = [
        (_start(node.body[0]), _end(node.body[-1]))
        for node in nodes_of(tree, ast.If)
        if _is_literal_main_test(node.test, text)
    ]
    return [hit for hit in hits if not any(start <= _start(hit) and _end(hit) <= end for start, end in guarded)]


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _end(node: ast.AST) -> tuple[int, int]:
    return node.end_lineno or 0, node.end_col_offset or 0  # type: ignore[attr-defined]


_MAIN_LITERAL = re.compile(r"""[rRuU]?("{3}|'{3}|"|')__main__\1""")


def _is_literal_main_test(test: ast.expr, text: str) -> bool:
    """``__name__ == "__main__"`` as print_to_logging's libcst check sees it: the
    string must be one literal (``"__ma" "in__"`` is a concatenation there)."""
    if not _is_main_test(test):
        return False
    assert isinstance(test, ast.Compare)
    for side in (test.left, test.comparators[0]):
        if isinstance(side, ast.Constant):
            segment = ast.get_source_segment(text, side)
            return segment is not None and _MAIN_LITERAL.fullmatch(segment) is not None
    return False


# -- each print: where it runs and at which level it would log ------------------

CONTROL_FLOW_EXCEPTIONS = frozenset({
    "KeyboardInterrupt", "SystemExit", "GeneratorExit", "StopIteration", "StopAsyncIteration",
    "asyncio.CancelledError", "asyncio.exceptions.CancelledError",
})
EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
# Exceptions FastAPI/Starlette turn into a response without logging them.
ANSWERED_EXCEPTIONS = frozenset({"HTTPException", "WebSocketException", "RequestValidationError", "ValidationException"})
_ERROR_WORDS = re.compile(
    r"\b(errors?|fail(ed|s|ure|ing)?|exceptions?|critical|fatal|crash(ed)?|could ?n[o']t|cannot|can't|"
    r"unable to|aborting|traceback)\b|❌|✗|✘|🔥|💥|🚨|⛔",
    re.IGNORECASE,
)
_WARNING_WORDS = re.compile(r"\b(warn(ing)?s?|deprecated|caution)\b|⚠", re.IGNORECASE)
_WARNING_START = re.compile(r"^\W*(warn(ing)?\b|⚠)", re.IGNORECASE)
_EXPECTED = re.compile(r"\b(expected|ignor(e|ed|ing)|skipp(ed|ing)|fall(ing)? ?back|retry(ing)?)\b", re.IGNORECASE)
_DEBUG_START = re.compile(r"^\W*((?i:\[debug\]|debug\s*[:|>\-])|DEBUG\b)")


@dataclass(frozen=True)
class PrintSite:
    """One ``print(...)`` call: the ``ordinal``-th print call starting on ``line``, in
    ``scope`` (a function, ``Class.method``, ``<module>`` or ``<main>``), the level
    it would log at and whether with the traceback ("exception")."""

    line: int
    ordinal: int
    scope: str
    level: str
    continues: bool = False  # the statement before it is a print with end= other than a newline


@dataclass(frozen=True)
class _Handler:
    control_only: bool
    name: str | None
    raises: str | None  # "same" (bare raise, raise e), "other", None


def print_sites_of(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> tuple[PrintSite, ...]:
    reader = _PrintReader(ImportMap(tree, info.package, nested=True), options)
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            reader.block(node.body, "<main>", None, None)
            reader.block(node.orelse, "<module>", None, None)
        else:
            reader.block([node], "<module>", None, None)
    counts: dict[int, int] = {}
    sites = []
    for (line, col), scope, level in sorted(reader.found):
        ordinal = counts.get(line, 0)
        counts[line] = ordinal + 1
        sites.append(PrintSite(line, ordinal, scope, level, (line, col) in reader.continuing))
    return tuple(sites)


class _PrintReader:
    def __init__(self, imports: ImportMap, options: Mapping[str, Any]) -> None:
        self.imports = imports
        self.options = options
        self.found: list[tuple[tuple[int, int], str, str]] = []
        self.continuing: set[tuple[int, int]] = set()

    def block(self, body: list[ast.stmt], scope: str, cls: str | None, handler: _Handler | None) -> None:
        for index, statement in enumerate(body):
            following = body[index + 1] if index + 1 < len(body) else None
            if (
                index
                and _ends_without_newline(body[index - 1])
                and isinstance(statement, ast.Expr)
                and _is_print(statement.value, self.imports)
            ):
                self.continuing.add((statement.value.lineno, statement.value.col_offset))
            self.statement(statement, scope, cls, handler, following)

    def statement(self, node: ast.stmt, scope: str, cls: str | None, handler: _Handler | None,
                  following: ast.stmt | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = scope
            if scope == "<module>":
                inner = f"{cls}.{node.name}" if cls else node.name
            elif scope == "<main>" and cls is None:
                inner = "<main>"
            self.expressions([*node.decorator_list, *node.args.defaults], scope, handler, None)
            self.block(node.body, inner, None, None)
            return
        if isinstance(node, ast.ClassDef):
            self.block(node.body, scope, node.name if scope == "<module>" and cls is None else cls, handler)
            return
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.block(node.body, scope, cls, handler)
            for except_handler in node.handlers:
                self.block(except_handler.body, scope, cls, self._handler(except_handler))
            self.block(node.orelse, scope, cls, handler)
            self.block(node.finalbody, scope, cls, handler)
            return
        statement_print = isinstance(node, ast.Expr) and _is_print(node.value, self.imports)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                continue
            if isinstance(child, (ast.expr,)):
                self.expressions([child], scope, handler, following if statement_print else None)
        for field_name in ("body", "orelse"):
            children = getattr(node, field_name, None)
            if isinstance(children, list) and children and isinstance(children[0], ast.stmt):
                self.block(children, scope, cls, handler)
        for case in getattr(node, "cases", ()):
            self.block(case.body, scope, cls, handler)

    def expressions(self, nodes: list[ast.expr], scope: str, handler: _Handler | None,
                    following: ast.stmt | None) -> None:
        for node in nodes:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and _is_print(sub, self.imports):
                    level = print_level(sub, handler, following if sub is node else None, self.imports, self.options)
                    self.found.append(((sub.lineno, sub.col_offset), scope, level))

    def _handler(self, handler: ast.ExceptHandler) -> _Handler:
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type] if handler.type else []
        names = [self.imports.qualified(c) or (c.id if isinstance(c, ast.Name) else "") for c in caught]
        control = bool(names) and all(n.removeprefix("builtins.") in CONTROL_FLOW_EXCEPTIONS for n in names)
        raises = None
        pending: list[ast.AST] = list(handler.body)
        while pending:
            current = pending.pop()
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if isinstance(current, ast.Raise):
                # A new exception chains the caught one (its traceback shows both),
                # unless the framework answers it and logs nothing (HTTPException).
                raised = current.exc.func if isinstance(current.exc, ast.Call) else current.exc
                answered = raised is not None and (_dotted(raised) or "").rpartition(".")[2] in ANSWERED_EXCEPTIONS
                raises = "other" if answered or raises == "other" else "same"
            pending.extend(ast.iter_child_nodes(current))
        return _Handler(control, handler.name, raises)


def _ends_without_newline(statement: ast.stmt) -> bool:
    """``print(..., end="")``: the next print continues its line."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    for keyword in statement.value.keywords:
        if keyword.arg == "end":
            value = keyword.value
            return not (isinstance(value, ast.Constant) and value.value in ("\n", None))
    return False


def _is_print(node: ast.expr, imports: ImportMap | None = None) -> bool:
    """``print(...)``, or the builtin under another name (``builtins.print``, an alias)."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name) and node.func.id == "print":
        return True
    return imports is not None and imports.qualified(node.func) == "builtins.print"


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def message_words(call: ast.Call) -> str:
    """The literal text of a print's values (f-string text included)."""
    parts: list[str] = []
    for arg in call.args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts.append(node.value)
    return " ".join(parts)


def print_level(call: ast.Call, handler: _Handler | None, following: ast.stmt | None, imports: ImportMap,
                options: Mapping[str, Any]) -> str:
    """The level a senior would log this print at: from its words (error words or ❌:
    error; warning words or ⚠️: warning; ``DEBUG:`` or a bare dump of an object:
    debug), its place (a print just before ``sys.exit(non-zero)`` is an error) and its
    ``except`` handler (a failure reported there carries the traceback: the
    ``except_level``, or the ``reraise_level`` when the handler re-raises the same
    exception, which will carry it anyway)."""
    text = message_words(call)
    stderr = any(k.arg == "file" and imports.qualified(k.value) == "sys.stderr" for k in call.keywords)
    format_exc = any(
        isinstance(node, ast.Call) and imports.qualified(node.func) in ("traceback.format_exc", "traceback.print_exc")
        for arg in call.args for node in ast.walk(arg)
    )
    words = "warning" if _WARNING_START.search(text) else "error" if _ERROR_WORDS.search(text) else (
        "warning" if _WARNING_WORDS.search(text) else "debug" if _DEBUG_START.search(text) else None
    )
    if words is None and not text and _is_dump(call):
        words = "debug"
    if handler is not None and not handler.control_only:
        mentions = handler.name is not None and any(
            isinstance(node, ast.Name) and node.id == handler.name for arg in call.args for node in ast.walk(arg)
        )
        expected = bool(_EXPECTED.search(text))
        failure = (words == "error" or format_exc or (mentions and words in (None, "debug"))) and not expected
        if words == "warning" or (expected and words == "error"):
            return "warning"
        if failure:
            return options["reraise_level"] if handler.raises == "same" else options["except_level"]
    if words == "error" or _exits_nonzero(following, imports):
        return "error"
    if words is not None:
        return words
    return options["stderr_level"] if stderr else options["level"]


def _is_dump(call: ast.Call) -> bool:
    """``print(obj)``, ``print(vars(x))``, ``print(json.dumps(x))``: a dump of an object."""
    if len(call.args) != 1:
        return False
    value = call.args[0]
    if isinstance(value, ast.Call):
        name = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(value.func, "id", "")
        return name in ("dumps", "vars", "repr", "pformat", "model_dump", "dict", "model_dump_json")
    return isinstance(value, (ast.Attribute, ast.Subscript)) or isinstance(value, ast.Name)


def _exits_nonzero(following: ast.stmt | None, imports: ImportMap) -> bool:
    if not (isinstance(following, ast.Expr) and isinstance(following.value, ast.Call)):
        return False
    call = following.value
    name = imports.qualified(call.func) or (call.func.id if isinstance(call.func, ast.Name) else "")
    if name not in EXITS or not call.args:
        return False
    code = call.args[0]
    if isinstance(code, ast.Constant):
        return code.value not in (0, None, False)
    return isinstance(code, ast.UnaryOp) or isinstance(code, ast.JoinedStr)


PRINT_SITES = FilePass("print_to_logging.sites", ("print",), print_sites_of)


FILE_PASSES = (*FILE_PASSES, PRINT_SITES, PROGRAM_FACTS)


# -- which prints become log calls: judged by the programs that run them ----------

KEEP_REASONS = {
    "cli": "run from a command-line program",
    "main": "run only from a __main__ block",
    "script": "run from a top-level script",
    "shared": "run both by a command-line program (or __main__ block) and by the web app or a worker",
    "unknown": "run by no program found (outside the web app's import closure)",
    "unconfigured": "run by a program whose logging is not configured (add setup_logging to the run, "
    "or configure logging)",
    "level": "at a level the program's logging does not show",
    "named": "in modules whose logger the program's logging does not reach (it gives handlers only to "
    "named loggers)",
    "import": "run at import time, before the program's logging is configured",
    "line": "continuing a line an earlier print with end= started",
}


@dataclass(frozen=True)
class PrintPlan:
    """The prints to convert, by relpath: ((line, ordinal) -> level), and those kept:
    (reason key, relpath, line, module.scope) each."""

    convert: Mapping[str, Mapping[tuple[int, int], str]]
    kept: tuple[tuple[str, str, int, str], ...]


def plan_prints(project, options: Mapping[str, Any], model: ProgramModel, setup_app: str | None) -> PrintPlan:
    """Each print is converted only when every program that can run it shows the
    record: a web app or worker whose logging (existing, or added in this run by
    setup_logging: ``setup_app`` is the app module it wires) emits that level.
    Prints a command-line program, a script or a ``__main__`` block runs stay
    (unless ``skip_cli = false``), and so do those no program is known to run,
    outside the web app's import closure."""
    convert: dict[str, dict[tuple[int, int], str]] = {}
    kept: list[tuple[str, str, int, str]] = []
    for _path, info, sites in project.results(PRINT_SITES, options):
        for site in sites:
            reason = _keep_reason(model, info.module, site, options, setup_app)
            if reason is None:
                convert.setdefault(info.relpath, {})[(site.line, site.ordinal)] = site.level
            else:
                kept.append((reason, info.relpath, site.line, f"{info.module}.{site.scope}"))
    return PrintPlan(convert, tuple(kept))


def _keep_reason(model: ProgramModel, module: str, site: PrintSite, options: Mapping[str, Any],
                 setup_app: str | None) -> str | None:
    if site.scope in ("<module>", "<main>") and any(
        module in p.entries and module != p.entry for p in model.programs if p.kind == "web"
    ):
        # A module starting the server runs this before the app (and its logging) is imported.
        return "main"
    if site.continues:
        return "line"
    programs = model.running(module, site.scope)
    if not programs:
        programs = model.web_programs_importing(module)
    if not programs:
        return "unknown"
    if options["skip_cli"]:
        if any(p.kind in ("main", "script", "cli") for p in programs) and any(
            p.kind in ("web", "worker") for p in programs
        ):
            return "shared"
        for kind in ("main", "script", "cli"):
            if any(program.kind == kind for program in programs):
                return kind
    needed = LEVELS[site.level]
    for program in programs:
        if program.kind not in ("web", "worker"):
            continue
        shown = program.shown_level()
        added = shown is None and program.kind == "web" and program.entry == setup_app
        if added:
            shown = LEVELS["info"]
        if shown is None:
            return "unconfigured"
        if not added:
            # The record goes to this module's logger (`getLogger(__name__)`): a
            # configuration of other named loggers only never shows it.
            shown = program.shown_level(module)
            if shown is None:
                return "named"
        if needed < shown:
            return "level"
        # At import time, a record below WARNING shows only once the configuration
        # has run (logging's last-resort handler prints WARNING and above before):
        # the configuration must come earlier in this module's top level or before
        # the entry imports it, or be the call setup_logging adds after the app
        # module's imports.
        if site.scope == "<module>" and needed < LEVELS["warning"]:
            if not (model.configured_before(program, module, site.line) or (added and module == program.entry)):
                return "import"
    return None


def kept_lines(kept: tuple[tuple[str, str, int, str], ...]) -> tuple[str, ...]:
    """``kept 41 prints in 3 functions run only from __main__ (app/core/rbac.py:620 ...)``"""
    lines = []
    for reason, text in KEEP_REASONS.items():
        found = [entry for entry in kept if entry[0] == reason]
        if not found:
            continue
        scopes = {entry[3] for entry in found}
        # A module's top level or __main__ block is a place, not a function.
        noun = "function" if not any(scope.endswith((">",)) for scope in scopes) else "place"
        where = " ".join(f"{relpath}:{line}" for _, relpath, line, _ in found[:3])
        more = " ..." if len(found) > 3 else ""
        lines.append(
            f"kept {len(found)} print{'s' * (len(found) != 1)} in {len(scopes)} {noun}"
            f"{'s' * (len(scopes) != 1)} {text} ({where}{more})"
        )
    return tuple(lines)


# -- files this interpreter's ``ast`` cannot read ----------------------------------

_NEWER_SYNTAX = (
    (re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[[^\]]*\])?\s*=", re.MULTILINE), "3.12", "a `type` statement"),
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\[|^\s*class\s+\w+\s*\[", re.MULTILINE), "3.12", "PEP 695 generics"),
    (re.compile(r"^\s*except\s*\*", re.MULTILINE), "3.11", "`except*`"),
    (re.compile(r"^\s*match\s+[^=]+:\s*$", re.MULTILINE), "3.10", "a `match` statement"),
)


def newer_syntax(project, candidates: Candidates) -> dict[str, str]:
    """Candidate relpaths the running ``ast`` cannot parse -> what they need: the
    program model never saw them, so no print in them is rewritten."""
    import sys

    from fastapi_codemods.analysis import code_roles
    from fastapi_codemods.engine.sources import compile_error, looks_like_python2

    parsed = code_roles.parsed(project)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    found: dict[str, str] = {}
    for path, info in project.files:
        if info.relpath not in candidates.files or info.relpath in parsed:
            continue
        text = project.text(path) or ""
        if looks_like_python2(text):
            continue
        need = next(
            (f"Python {version} ({what})" for pattern, version, what in _NEWER_SYNTAX
             if pattern.search(text) and version > running),
            None,
        )
        if need is None:
            error = compile_error(text)
            if isinstance(error, SyntaxError) and "f-string" in (error.msg or ""):
                need = "Python 3.12 (PEP 701 f-strings)"
        if need is not None:  # else a plain syntax error: the pipeline reports it
            found[info.relpath] = need
    return found


def unparsed_lines(unparsed: Mapping[str, str]) -> tuple[str, ...]:
    import sys

    if not unparsed:
        return ()
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    shown = "; ".join(f"{relpath} needs {need}" for relpath, need in sorted(unparsed.items())[:3])
    more = " ..." if len(unparsed) > 3 else ""
    return (
        f"did not rewrite the prints of {len(unparsed)} file{'s' * (len(unparsed) != 1)} the running Python "
        f"{running} cannot parse, so the program analysis never read {'them' if len(unparsed) != 1 else 'it'} "
        f"({shown}{more}): run again under that Python",
    )
