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
