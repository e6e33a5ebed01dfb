"""The programs of a root, what each one runs, and whether its logging shows a record.

A print, a log call or a logging configuration means something only in a process:
``logging.basicConfig`` in a worker started on its own configures nothing in the
web process, and a function that only a ``__main__`` block calls writes to the
console of whoever ran the module. This module finds, on the stdlib ``ast``:

- the **programs** (entry points): web apps (the module building ``FastAPI()``, with
  the modules serving it: ``uvicorn.run``, a gunicorn configuration, ``--log-config``
  in deployment files), workers (Celery, RQ, arq, dramatiq), command-line programs
  (a CLI library, ``[project.scripts]``, ``__main__.py``, a ``__main__`` guard) and
  top-level scripts (modules doing work at import that no module imports);
- for each one its **import closure** and its **roots** (web: routes, dependencies,
  middleware, exception and event handlers, lifespan, background tasks; CLI: its
  commands and ``__main__`` block; script: its top level; every program: the top
  level of each module it imports);
- a **call reach** from the roots through the calls a static reader resolves
  (module functions, imported names, ``self.``/``cls.`` methods, methods of a local
  bound to a class instance), so that each function knows which programs run it;
- the **logging** of each program: the configurations in its import closure and
  entry, and the lowest level they show.

Names are resolved with one resolver (`astnames.ImportMap`, nested imports
included, re-exports followed across the root) and routes with one definition
(`routes.is_route_decorator`, `routes.route_registration`). The per-file half is
one `FilePass` (`PROGRAM_FACTS`, run in the analysis workers); `ProgramModel`
combines the results.
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES, ROUTER_CLASSES
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.logging_config import CONFIG_NEEDLES, _configures_logging
from fastapi_codemods.analysis.routes import is_route_decorator, route_registration
from fastapi_codemods.engine.fileinfo import FileInfo

MODULE = "<module>"  # a module's top level: runs in every program importing it
MAIN = "<main>"  # the body of its ``if __name__ == "__main__":`` block

CLI_LIBRARIES = frozenset({"click", "typer", "argparse", "cyclopts", "fire", "docopt", "rich_click", "alembic"})
WORKER_CLASSES = frozenset({"celery.Celery", "rq.Worker", "rq.worker.Worker", "rq.SimpleWorker"})
WORKER_PACKAGES = frozenset({"dramatiq"})
TASK_DECORATORS = frozenset({"task", "shared_task", "actor", "job", "periodic_task"})
CLI_DECORATORS = frozenset({"command", "group", "callback", "result_callback", "default"})
WEB_DECORATORS = frozenset({"middleware", "exception_handler", "on_event", "websocket", "websocket_route"})
WEB_REGISTRATIONS = frozenset({"add_exception_handler", "add_event_handler", "add_task", "add_middleware"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
CLI_RUNNERS = frozenset({"fire.Fire", "typer.run", "click.command"})
SERVER_CALLS = frozenset({"uvicorn.run", "uvicorn.main.run", "uvicorn.Config", "uvicorn.config.Config",
                          "hypercorn.asyncio.serve", "hypercorn.trio.serve"})
CONFIG_CALLS = frozenset({
    "logging.basicConfig", "logging.config.dictConfig", "logging.config.fileConfig", "structlog.configure",
    "structlog.configure_once", "loguru.logger.add", "loguru.logger.configure", "coloredlogs.install",
})
# Calls at a module's top level that declare rather than do work (a script does work).
DECLARATIVE = re.compile(
    r"(^|\.)(getLogger|FastAPI|APIRouter|include_router|add_middleware|mount|dataclass|TypeVar|NewType|namedtuple|"
    r"declarative_base|Field|Column|relationship|ForeignKey|Table|MetaData|Enum|environ\.get|getenv|"
    r"setdefault|load_dotenv|Depends|Path|Query|Body|Header|Celery|Router|Blueprint|Jinja2Templates|"
    r"StaticFiles|Settings|BaseSettings|create_engine|create_async_engine|sessionmaker|async_sessionmaker|"
    r"ContextVar|compile|partial|set_defaults|add_argument|add_parser|add_subparsers|Typer|command|"
    r"add_command|add_typer|group|filterwarnings|simplefilter|lru_cache|cache)$"
)
# Calls that run a function they are given elsewhere (a thread, a process, a task
# queue) or as a dependency: it is not called where it is passed.
OFFLOADERS = frozenset({"run_in_threadpool", "to_thread", "run_in_executor", "run_sync", "submit", "add_task",
                        "delay", "apply_async", "send_task", "enqueue", "iterate_in_threadpool", "Depends",
                        "Security", "Thread", "Process", "map_async", "apply"})
LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50, "exception": 40}
NOT_APP_FOLDERS = frozenset({"examples", "example", "docs", "docs_src"})


@dataclass(frozen=True)
class LoggingSite:
    """A logging configuration: where (scope), how and the lowest level it shows
    (None when it cannot be read: taken as INFO, see `Program.shown_level`)."""

    scope: str
    line: int
    what: str
    level: int | None
    # The loggers it gives handlers to, when it gives them only to named loggers:
    # records of other loggers (a new ``getLogger(__name__)``) reach no handler.
    # Empty: the root logger, or a configuration that cannot be read that closely.
    loggers: tuple[str, ...] = ()

    def shows(self, logger: str) -> bool:
        return not self.loggers or any(logger == name or logger.startswith(name + ".") for name in self.loggers)


@dataclass(frozen=True)
class ModuleFacts:
    """What one module contributes to the model (picklable, no trees)."""

    imports: frozenset[str]
    names: tuple[tuple[str, str], ...]  # local name -> absolute, from its imports (re-exports)
    defined: frozenset[str]  # top-level functions and classes, and ``Class.method``
    classes: frozenset[str]
    calls: tuple[tuple[str, tuple[str, ...]], ...]  # scope -> absolute names it calls or passes
    app_module: bool  # builds a FastAPI() app
    web_module: bool  # builds a router or declares routes
    web_roots: tuple[str, ...]
    cli_roots: tuple[str, ...]
    task_roots: tuple[str, ...]
    cli_library: bool
    main_guard: bool
    worker: bool
    top_work: bool
    serves: tuple[str, ...]  # "module:app" strings or absolute app names uvicorn.run is given
    serves_with_log_config: bool
    logging: tuple[LoggingSite, ...]
    top_imports: tuple[tuple[str, int], ...] = ()  # (absolute name, line) of each module-level import
    offloaded: tuple[tuple[str, tuple[str, ...]], ...] = ()  # scope -> names it passes to a thread, queue, Depends
    startup: tuple[str, ...] = ()  # lifespan, startup and shutdown handlers (they run once, not per request)


def module_facts(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ModuleFacts:
    facts = _Reader(info, tree).facts()
    if not facts.logging and any(needle in text for needle in CONFIG_NEEDLES):
        # The shapes only `logging_config` reads (handlers assigned, a handler on a
        # named logger, gunicorn's logconfig settings): configured, level unknown.
        imports = ImportMap(tree, info.package, nested=True)
        if _configures_logging(tree, imports, PurePosixPath(info.relpath).name):
            named = _named_loggers_only(tree, imports)
            what = f"handlers on the logger{'s' * (len(named) > 1)} {', '.join(map(repr, named))}" if named \
                else "a logging configuration"
            facts = replace(facts, logging=(LoggingSite(MODULE, 0, what, None, named),))
    return facts


PROGRAM_FACTS = FilePass("programs.model", (), module_facts)


class _Reader:
    def __init__(self, info: FileInfo, tree: ast.Module) -> None:
        self.info = info
        self.module = info.module
        self.tree = tree
        self.imports = ImportMap(tree, info.package, nested=True)
        self.top = ImportMap(tree, info.package)
        self.defined: set[str] = set()
        self.classes: set[str] = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defined.add(node.name)
            elif isinstance(node, ast.ClassDef):
                self.defined.add(node.name)
                self.classes.add(node.name)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.defined.add(f"{node.name}.{item.name}")
        self.calls: dict[str, set[str]] = {}
        self.web_roots: set[str] = set()
        self.cli_roots: set[str] = set()
        self.task_roots: set[str] = set()
        self.app_module = False
        self.web_module = False
        self.worker = False
        self.top_work = False
        self.main_guard = False
        self.serves: set[str] = set()
        self.serves_with_log_config = False
        self.logging: list[LoggingSite] = []
        self.handler_names: set[str] = set()  # locals bound to logging.getLogger(...) or handlers
        self.offloaded: dict[str, set[str]] = {}
        self.startup: set[str] = set()

    def facts(self) -> ModuleFacts:
        spans = self._spans()
        starts = [span[0] for span in spans]
        locals_of: dict[str, dict[str, str]] = {}
        # ``x = Class(...)`` in a function: ``x.method()`` then calls Class.method.
        for node in nodes_of(self.tree, ast.Assign):
            if isinstance(node.value, ast.Call):
                scope, cls = _scope_at(spans, starts, node.lineno)
                if scope == MODULE:
                    continue
                called = self._resolve(node.value.func, cls, {})
                if called is not None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            locals_of.setdefault(scope, {})[target.id] = called
        for call in nodes_of(self.tree, ast.Call):
            scope, cls = _scope_at(spans, starts, call.lineno)
            self._call(call, scope, cls, locals_of.get(scope, {}))
        for node in self.tree.body:
            if isinstance(node, ast.If) and _is_main_test(node.test):
                self.main_guard = True
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._decorators(node, node.name)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self._decorators(item, f"{node.name}.{item.name}")
                if node.name == "WorkerSettings":
                    self.worker = True
                    for item in node.body:
                        if isinstance(item, ast.Assign) and any(
                            isinstance(t, ast.Name) and t.id in ("functions", "cron_jobs") for t in item.targets
                        ):
                            self.task_roots.update(self._names_in(item.value, {}))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                self.top_work = self.top_work or not self._declarative(node.value)
            elif isinstance(node, (ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)):
                self.top_work = True
        imported = _imported_modules(self.tree, self.info.package)
        return ModuleFacts(
            imports=frozenset(name for name in imported if name != self.module),
            names=tuple(sorted(self.top.names.items())),
            defined=frozenset(self.defined),
            classes=frozenset(self.classes),
            calls=tuple((scope, tuple(sorted(names))) for scope, names in sorted(self.calls.items())),
            app_module=self.app_module,
            web_module=self.web_module or self.app_module,
            web_roots=tuple(sorted(self.web_roots)),
            cli_roots=tuple(sorted(self.cli_roots)),
            task_roots=tuple(sorted(self.task_roots)),
            cli_library=any(name.split(".")[0] in CLI_LIBRARIES for name in imported),
            main_guard=self.main_guard,
            worker=self.worker or any(name.split(".")[0] in WORKER_PACKAGES for name in imported),
            top_work=self.top_work,
            serves=tuple(sorted(self.serves)),
            serves_with_log_config=self.serves_with_log_config,
            logging=tuple(self.logging),
            top_imports=tuple(_top_imports(self.tree, self.info.package)),
            offloaded=tuple((scope, tuple(sorted(names))) for scope, names in sorted(self.offloaded.items())),
            startup=tuple(sorted(self.startup)),
        )

    def _spans(self) -> list[tuple[int, int, str, str | None]]:
        """(first line, last line, scope, class) of each top-level function, method
        and ``__main__`` block body, in line order. Decorators are outside (they run
        where the function is defined); nested functions count as their outer one's."""
        spans: list[tuple[int, int, str, str | None]] = []
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                spans.append((node.lineno, node.end_lineno or node.lineno, node.name, None))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        spans.append((item.lineno, item.end_lineno or item.lineno, f"{node.name}.{item.name}",
                                      node.name))
            elif isinstance(node, ast.If) and _is_main_test(node.test) and node.body:
                spans.append((node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno, MAIN, None))
        spans.sort()
        return spans

    def _decorators(self, function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> None:
        for decorator in function.decorator_list:
            self._decorator(decorator, function, name, MODULE, None)

    def _declarative(self, call: ast.Call) -> bool:
        name = self.imports.qualified(call.func) or _dotted(call.func) or ""
        return bool(DECLARATIVE.search(name))

    def _decorator(self, decorator: ast.expr, function: ast.AST, name: str, scope: str, cls: str | None) -> None:
        target = f"{self.module}.{name}"
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        qualified = self.imports.qualified(func) or ""
        if is_route_decorator(decorator) or attr in WEB_DECORATORS:
            self.web_roots.add(target)
            self.web_module = True
            if attr == "on_event":
                self.startup.add(target)
        elif attr in TASK_DECORATORS or qualified.rpartition(".")[2] in TASK_DECORATORS:
            self.task_roots.add(target)
        elif attr in CLI_DECORATORS or qualified.split(".")[0] in CLI_LIBRARIES:
            self.cli_roots.add(target)

    # -- expressions ---------------------------------------------------------

    def _call(self, call: ast.Call, scope: str, cls: str | None, local: dict[str, str]) -> None:
        resolved = self._resolve(call.func, cls, local)
        found = self.calls.setdefault(scope, set())
        if resolved is not None:
            found.add(resolved)
        qualified = self.imports.qualified(call.func) or ""
        attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        passed = [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
        # A function passed as a value (a callback, a thread target) may be called.
        offloads = (attr or qualified.rpartition(".")[2]) in OFFLOADERS
        for value in passed:
            name = self._resolve(value, cls, local) if isinstance(value, (ast.Name, ast.Attribute)) else None
            if name is not None:
                found.add(name)
                if offloads:
                    self.offloaded.setdefault(scope, set()).add(name)
        if qualified in APP_CLASSES:
            self.app_module = True
            for keyword in call.keywords:
                if keyword.arg in ("lifespan", "on_startup", "on_shutdown", "exception_handlers", "dependencies"):
                    self.web_roots.update(self._names_in(keyword.value, local))
                if keyword.arg in ("lifespan", "on_startup", "on_shutdown"):
                    self.startup.update(self._names_in(keyword.value, local))
        elif qualified in ROUTER_CLASSES:
            self.web_module = True
            for keyword in call.keywords:
                if keyword.arg in ("lifespan", "on_startup", "on_shutdown", "dependencies"):
                    self.web_roots.update(self._names_in(keyword.value, local))
                if keyword.arg in ("lifespan", "on_startup", "on_shutdown"):
                    self.startup.update(self._names_in(keyword.value, local))
        elif qualified in DEPENDS or attr in WEB_REGISTRATIONS:
            self.web_roots.update(self._names_in_args(call, local))
            if attr == "add_event_handler":
                self.startup.update(self._names_in_args(call, local))
        elif route_registration(call)[1]:
            self.web_module = True
            self.web_roots.update(self._names_in_args(call, local))
        elif qualified in WORKER_CLASSES:
            self.worker = True
        elif qualified in CLI_RUNNERS or attr == "set_defaults" or (
            isinstance(call.func, ast.Call) and isinstance(call.func.func, ast.Attribute)
            and call.func.func.attr == "command"
        ):
            self.cli_roots.update(self._names_in_args(call, local))
        if qualified in SERVER_CALLS:
            target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "app"), None)
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                self.serves.add(target.value)
            elif target is not None:
                name = self._resolve(target, cls, local)
                if name is not None:
                    self.serves.add(name)
            if any(k.arg == "log_config" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
                   for k in call.keywords):
                self.serves_with_log_config = True
                self.logging.append(LoggingSite(scope, call.lineno, "uvicorn log_config", None))
        if qualified in CONFIG_CALLS:
            level: int | None = None
            if qualified == "logging.basicConfig":
                given = next((k.value for k in call.keywords if k.arg == "level"), None)
                level = LEVELS["warning"] if given is None else _level_value(given, self.imports)
            self.logging.append(LoggingSite(scope, call.lineno, qualified, level))
        elif attr == "addHandler" and not _null_handler(call) and _is_root_logger(call.func.value, self.imports):
            self.logging.append(LoggingSite(scope, call.lineno, "root addHandler", None))

    def _names_in_args(self, call: ast.Call, local: dict[str, str]) -> set[str]:
        found: set[str] = set()
        for value in [*call.args, *(k.value for k in call.keywords)]:
            found.update(self._names_in(value, local))
        return found

    def _names_in(self, node: ast.expr, local: dict[str, str]) -> set[str]:
        """Absolute names of the functions named in ``node`` (a name, a list of them,
        ``functools.partial(f, ...)``)."""
        found: set[str] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, (ast.Name, ast.Attribute)):
                name = self._resolve(current, None, local)
                if name is not None:
                    found.add(name)
            elif isinstance(current, (ast.List, ast.Tuple, ast.Set)):
                pending.extend(current.elts)
            elif isinstance(current, ast.Dict):
                pending.extend(value for value in current.values if value is not None)
            elif isinstance(current, ast.Call) and self.imports.qualified(current.func) == "functools.partial":
                pending.extend(current.args[:1])
        return found

    def _resolve(self, node: ast.expr, cls: str | None, local: dict[str, str]) -> str | None:
        """The absolute name a called expression denotes, or None when unknown."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call) and len(parts) == 1 and isinstance(node.func, (ast.Name, ast.Attribute)):
            # ``UserRepository(db).get(1)``: the method of the class called (for a
            # function, its name: `ProgramModel.resolve` leads to the function)
            base = self._resolve(node.func, cls, local)
            return None if base is None else f"{base}.{parts[0]}"
        if not isinstance(node, ast.Name):
            return None
        parts.reverse()
        head = node.id
        if head in ("self", "cls") and cls is not None:
            return f"{self.module}.{cls}.{'.'.join(parts)}" if len(parts) == 1 else None
        if head in local:
            return ".".join([local[head], *parts])
        if head in self.defined:
            return ".".join([f"{self.module}.{head}", *parts])
        if head in self.imports.names:
            return ".".join([self.imports.names[head], *parts])
        return None


def _scope_at(spans: list[tuple[int, int, str, str | None]], starts: list[int], line: int) -> tuple[str, str | None]:
    """The scope (and class) holding ``line``: the span starting last at or before it,
    if it reaches that far; else the module's top level."""
    index = bisect_right(starts, line) - 1
    if index >= 0 and spans[index][1] >= line:
        return spans[index][2], spans[index][3]
    return MODULE, None


def _imported_modules(tree: ast.Module, package: str) -> set[str]:
    found: set[str] = set()
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            if base:
                found.add(base)
            found.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names if alias.name != "*")
    return found


def _top_imports(tree: ast.Module, package: str) -> list[tuple[str, int]]:
    """What each import statement of the module's own top level loads, with its line
    (imports in ``if``/``try`` blocks included, not in functions or classes)."""
    found: list[tuple[str, int]] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            found.extend(((f"{base}.{alias.name}" if base else alias.name), node.lineno) for alias in node.names)
        elif isinstance(node, (ast.If, ast.Try)) and not (isinstance(node, ast.If) and _is_main_test(node.test)):
            pending.extend(node.body)
            pending.extend(node.orelse)
            for handler in getattr(node, "handlers", ()):
                pending.extend(handler.body)
    return sorted(found, key=lambda item: item[1])


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _level_value(node: ast.expr, imports: ImportMap) -> int | None:
    """``logging.INFO``, ``"INFO"``, ``20``, ``os.getenv("X", "INFO")``: the level;
    None when it is computed."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str):
            return LEVELS.get(node.value.strip().lower())
        return None
    qualified = imports.qualified(node) or ""
    if qualified.startswith("logging."):
        return LEVELS.get(qualified.rpartition(".")[2].lower())
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("upper", "lower", "strip"):
            return _level_value(node.func.value, imports)
        name = imports.qualified(node.func) or _dotted(node.func) or ""
        if name.endswith(("getenv", "environ.get", "get")) and len(node.args) >= 2:
            return _level_value(node.args[1], imports)
        if name in ("logging.getLevelName", "getattr") and node.args:
            return _level_value(node.args[-1], imports)
    return None


def _is_root_logger(node: ast.expr, imports: ImportMap) -> bool:
    if imports.qualified(node) == "logging.root":
        return True
    return (
        isinstance(node, ast.Call)
        and imports.qualified(node.func) == "logging.getLogger"
        and (not node.args or isinstance(node.args[0], ast.Constant) and node.args[0].value in (None, ""))
    )


def _named_loggers_only(tree: ast.Module, imports: ImportMap) -> tuple[str, ...]:
    """The names of the loggers this module gives handlers to (``addHandler``,
    ``.handlers =``) when each is a named ``logging.getLogger("name")``; () when one
    of them is the root logger or cannot be named, or the module configures logging
    some other way (gunicorn's settings)."""
    bound: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and imports.qualified(node.value.func) == "logging.getLogger":
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = _logger_name(node.value)
    names: set[str] = set()
    for node in ast.walk(tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "addHandler":
            if _null_handler(node):
                continue
            target = node.func.value
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            target = next((t.value for t in targets if isinstance(t, ast.Attribute) and t.attr == "handlers"), None)
            if target is None:
                continue
        else:
            continue
        if isinstance(target, ast.Call) and imports.qualified(target.func) == "logging.getLogger":
            name = _logger_name(target)
        elif isinstance(target, ast.Name):
            name = bound.get(target.id)
        else:
            name = None
        if not name:
            return ()
        names.add(name)
    return tuple(sorted(names))


def _logger_name(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value or None
    return None


def _null_handler(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Call) and (_dotted(arg.func) or "").endswith("NullHandler") for arg in call.args)


# -- the whole root ------------------------------------------------------------


@dataclass
class Program:
    """One entry point. ``kind``: "web", "worker", "cli" (a CLI library or
    ``[project.scripts]``), "main" (a ``__main__`` guard or ``__main__.py``) or
    "script" (work at import, imported by nothing)."""

    kind: str
    entry: str  # the module (for a web app: the module building the app)
    entries: set[str] = field(default_factory=set)  # with the modules serving it
    closure: set[str] = field(default_factory=set)
    roots: set[str] = field(default_factory=set)
    logging: list[tuple[str, LoggingSite]] = field(default_factory=list)  # (relpath, site)
    deployment_config: str | None = None  # a --log-config in a deployment file

    @property
    def configured(self) -> bool:
        return bool(self.logging) or self.deployment_config is not None

    def shown_level(self, logger: str | None = None) -> int | None:
        """The lowest level its configuration shows (levels it cannot read taken as
        INFO, what projects configuring logging nearly always mean); None when the
        program configures no logging, or (given ``logger``) none that reaches that
        logger's records."""
        if not self.configured:
            return None
        sites = [site for _, site in self.logging if logger is None or site.shows(logger)]
        if not sites and self.deployment_config is None:
            return None
        levels = [site.level if site.level is not None else LEVELS["info"] for site in sites]
        if self.deployment_config is not None:
            levels.append(LEVELS["info"])
        return min(levels)

    def describe_logging(self) -> str:
        if self.deployment_config is not None and not self.logging:
            return f"--log-config in {self.deployment_config}"
        relpath, site = self.logging[0]
        return f"{site.what} in {relpath}" + (f":{site.line}" if site.line else "")


class ProgramModel:
    """The programs of a root and which of them reach each function."""

    def __init__(self, project: Any, deployment_texts: Mapping[str, str] | None = None) -> None:
        self.facts: dict[str, ModuleFacts] = {}
        self.relpaths: dict[str, str] = {}
        self.test_modules: set[str] = set()
        for _path, info, facts in project.results(PROGRAM_FACTS, {}):
            self.facts[info.module] = facts
            self.relpaths[info.module] = info.relpath
            if info.is_test_file or NOT_APP_FOLDERS.intersection(PurePosixPath(info.relpath).parts[:-1]):
                self.test_modules.add(info.module)
        self._resolved: dict[str, str | None] = {}
        self._splits: dict[str, tuple[str | None, str]] = {}
        self.importers: dict[str, set[str]] = {}
        self.edges: dict[str, set[str]] = {module: self._module_edges(module) for module in self.facts}
        for module, imported in self.edges.items():
            for other in imported:
                self.importers.setdefault(other, set()).add(module)
        self.calls_of: dict[str, tuple[str, ...]] = {
            f"{module}.{scope}": called for module, facts in self.facts.items() for scope, called in facts.calls
        }
        self.offloaded_of: dict[str, frozenset[str]] = {
            f"{module}.{scope}": frozenset(names) for module, facts in self.facts.items() for scope, names in facts.offloaded
        }
        self.startup: set[str] = {name for facts in self.facts.values() for name in facts.startup}
        self.scripts_entries = _project_scripts(project)
        texts = deployment_texts if deployment_texts is not None else _deployment_texts(project)
        self.programs: list[Program] = self._programs(texts)
        self.reach: dict[str, set[int]] = {}
        for index, program in enumerate(self.programs):
            for name in self._reach(program.roots):
                self.reach.setdefault(name, set()).add(index)

    @classmethod
    def of(cls, project: Any) -> ProgramModel:
        """The model of ``project``, built once per analysis (print_to_logging and
        setup_logging both read it)."""
        model = project.shared.get("program_model")
        if model is None:
            model = project.shared["program_model"] = cls(project)
        return model

    # -- modules and names -------------------------------------------------

    def _module_edges(self, module: str) -> set[str]:
        found: set[str] = set()
        for name in self.facts[module].imports:
            while name and name not in self.facts:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
        # Importing a package's submodule runs the package's __init__ first.
        parts = module.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in self.facts)
        return found

    def closure(self, modules: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        pending = [module for module in modules if module in self.facts]
        while pending:
            module = pending.pop()
            if module in seen:
                continue
            seen.add(module)
            pending.extend(self.edges.get(module, ()))
        return seen

    def resolve(self, name: str) -> str | None:
        """``name`` (absolute) as the root's module and definition it denotes:
        ``pkg.mod.func``, ``pkg.mod.Class.method``, re-exports followed; None when
        it leads out of the root."""
        if name in self._resolved:
            return self._resolved[name]
        self._resolved[name] = None
        result = None
        current = name
        for _ in range(8):
            module = current
            while module and module not in self.facts:
                module = module.rpartition(".")[0]
            if not module or module == current:
                break
            rest = current[len(module) + 1:]
            head, _, tail = rest.partition(".")
            facts = self.facts[module]
            if rest in facts.defined or head in facts.defined:
                result = f"{module}.{rest}" if rest in facts.defined else f"{module}.{head}"
                break
            target = dict(facts.names).get(head)
            if target is None:
                break
            current = f"{target}.{tail}" if tail else target
        self._resolved[name] = result
        return result

    # -- programs ------------------------------------------------------------

    def _programs(self, deployment: Mapping[str, str]) -> list[Program]:
        programs: list[Program] = []
        app_modules = {m for m, f in self.facts.items() if f.app_module and m not in self.test_modules}
        # An app module imported by another app module is a sub-app mounted into it.
        mounted = {m for m in app_modules if self.importers.get(m, set()) & app_modules - {m}
                   and any(m in self.closure([other]) for other in app_modules - {m})}
        servers: dict[str, set[str]] = {}
        for module, facts in self.facts.items():
            for served in facts.serves:
                target = served.partition(":")[0] if ":" in served else self.resolve(served) or served
                target_module = target if ":" in served else target.rpartition(".")[0]
                servers.setdefault(target_module, set()).add(module)
        web_entries: set[str] = set()
        # gunicorn reads its configuration file into the web process it starts.
        gunicorn = {m for m in self.facts if PurePosixPath(self.relpaths[m]).name.startswith("gunicorn")}
        for app in sorted(app_modules - mounted):
            program = Program("web", app, {app, *gunicorn})
            for served_module, serving in servers.items():
                if served_module == app or app in self.closure([served_module]):
                    program.entries.update(serving)
            web_entries.update(program.entries)
            program.deployment_config = _deployment_log_config(deployment, app)
            programs.append(program)
        roots_web = {name for facts in self.facts.values() for name in facts.web_roots}
        roots_tasks = {name for facts in self.facts.values() for name in facts.task_roots}
        workers = [m for m, f in self.facts.items() if f.worker and m not in self.test_modules and m not in app_modules]
        for module in sorted(workers):
            programs.append(Program("worker", module, {module}))
        if roots_tasks and not workers:
            programs.append(Program("worker", "", set()))
        for module, facts in sorted(self.facts.items()):
            if module in self.test_modules or module in app_modules or module in workers:
                continue
            relname = PurePosixPath(self.relpaths[module]).name
            scripted = module in self.scripts_entries
            if module in web_entries and not facts.cli_library:
                continue
            if facts.cli_library or scripted:
                programs.append(Program("cli", module, {module}))
            elif facts.main_guard or relname == "__main__.py":
                programs.append(Program("main", module, {module}))
            elif facts.top_work and not self.importers.get(module) and not facts.web_module:
                programs.append(Program("script", module, {module}))
        for program in programs:
            program.closure = self.closure(program.entries)
            program.roots = {f"{m}.{MODULE}" for m in program.closure}
            program.roots.update(f"{m}.{MAIN}" for m in program.entries)
            program.logging = [(self.relpaths[m], site) for m in sorted(program.closure)
                               for site in self.facts[m].logging if site.scope != MAIN or m in program.entries]
            if program.kind == "web":
                program.roots.update(roots_web)
            elif program.kind == "worker":
                program.roots.update(roots_tasks)
            else:
                for m in program.entries:
                    program.roots.update(self.facts[m].cli_roots)
                program.roots.update(self.scripts_entries.get(program.entry, ()))
        return programs

    def _reach(self, roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            resolved = name if name.endswith((MODULE, MAIN)) else self.resolve(name)
            if resolved is None or resolved in seen:
                continue
            seen.add(resolved)
            module, scope = self._split(resolved)
            if module is None:
                continue
            if scope in self.facts[module].classes:
                pending.extend(f"{module}.{scope}.{method}" for method in ("__init__", "__post_init__", "__call__"))
                continue
            pending.extend(self.calls_of.get(resolved, ()))
        return seen

    def _split(self, name: str) -> tuple[str | None, str]:
        found = self._splits.get(name)
        if found is None:
            found = self._splits[name] = self._split_uncached(name)
        return found

    def _split_uncached(self, name: str) -> tuple[str | None, str]:
        module = name
        while module and module not in self.facts:
            module = module.rpartition(".")[0]
        if not module:
            return None, ""
        return module, name[len(module) + 1:]

    # -- questions -----------------------------------------------------------

    def running(self, module: str, scope: str) -> list[Program]:
        """The programs that may run ``scope`` of ``module`` (a function, ``Class.method``,
        `MODULE` or `MAIN`), by the call reach."""
        return [self.programs[i] for i in sorted(self.reach.get(f"{module}.{scope}", ()))]

    def web_programs_importing(self, module: str) -> list[Program]:
        return [p for p in self.programs if p.kind == "web" and module in p.closure]

    def logging_sites(self, program: Program) -> list[tuple[str, LoggingSite]]:
        """(module, site) of each logging configuration of ``program``."""
        modules = {relpath: module for module, relpath in self.relpaths.items()}
        return [(modules[relpath], site) for relpath, site in program.logging]

    def configured_before(self, program: Program, module: str, line: int) -> bool:
        """Whether a configuration of ``program`` has run when the top level of
        ``module`` reaches ``line``: earlier in that top level, or in the top level
        of the program's entry before the first import that loads ``module``."""
        for site_module, config in self.logging_sites(program):
            if config.scope != MODULE or not config.line:
                continue
            if site_module == module and config.line < line:
                return True
            if site_module == program.entry and site_module != module:
                imports = self.facts[site_module].top_imports
                before = self.closure(self._project_module(n) for n, at in imports if at < config.line)
                after = self.closure(self._project_module(n) for n, at in imports if at > config.line)
                if module not in before and module in after:
                    return True
        return False

    def _project_module(self, name: str) -> str:
        while name and name not in self.facts:
            name = name.rpartition(".")[0]
        return name

    def unattached_logging(self) -> list[tuple[str, LoggingSite]]:
        """Logging configurations in modules no program imports (a ``setup()`` no
        static reader sees called): which process they configure is unknown."""
        reached = {module for program in self.programs for module in program.closure}
        return [(self.relpaths[m], site) for m, facts in sorted(self.facts.items())
                if m not in reached and m not in self.test_modules for site in facts.logging]

    def web_app(self, module: str) -> Program | None:
        return next((p for p in self.programs if p.kind == "web" and p.entry == module), None)


def _project_scripts(project: Any) -> dict[str, set[str]]:
    """``[project.scripts]`` (and Poetry's) targets: module -> the functions they name."""
    from fastapi_codemods.engine.tomlreader import tomllib

    found: dict[str, set[str]] = {}
    # Read through the project, which notes it for the run cache (`engine.inputs`).
    text = project.text(project.root / "pyproject.toml") if project.root.is_dir() else None
    if text is None:
        return found
    try:
        data = tomllib.loads(text)
    except ValueError:
        return found
    tables = [data.get("project", {}).get("scripts", {}), data.get("tool", {}).get("poetry", {}).get("scripts", {})]
    for table in tables:
        if not isinstance(table, dict):
            continue
        for target in table.values():
            if isinstance(target, str) and ":" in target:
                module, _, function = target.partition(":")
                found.setdefault(module.strip(), set()).add(f"{module.strip()}.{function.strip()}")
    return found


def _deployment_texts(project: Any) -> dict[str, str]:
    """Name -> text of the deployment files production_server reads too (Dockerfile,
    Procfile, docker-compose, start scripts)."""
    from fastapi_codemods.analysis.deployment import deployment_files

    if not project.root.is_dir():
        return {}
    return {os.path.relpath(path, project.root): project.text(path) or "" for path in deployment_files(project)}


_LOG_CONFIG = re.compile(r"(?:uvicorn|gunicorn|hypercorn|fastapi)\b[^\n]*?(?:--log-config|--log-config=|"
                         r"--logconfig|--logconfig-dict)")


def _deployment_log_config(texts: Mapping[str, str], app_module: str) -> str | None:
    """The deployment file starting this app with a logging configuration, if any."""
    last = app_module.rpartition(".")[2]
    for name, text in sorted(texts.items()):
        for line in text.splitlines():
            if _LOG_CONFIG.search(line) and (last in line or "fastapi run" in line):
                return name
    return None
