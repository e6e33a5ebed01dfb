"""A ``uvicorn.run`` launcher that a deployment file starts with python: how to give it workers (stdlib ``ast``).

``CMD ["python", "main.py"]`` (or ``python -m app``) starts the app through the
module's ``uvicorn.run(...)``: that call is the production start command, so it is
the one production_server changes, as it changes a ``uvicorn`` command line. uvicorn
runs several workers only when given the app as an import string (with an app object
and ``workers`` it prints "You must pass the application as an import string" and
exits), and each worker is a new process that imports that string:

- ``uvicorn.run("app.main:app", ...)`` keeps its string;
- ``uvicorn.run(app)`` with ``from app.main import app`` becomes ``"app.main:app"``:
  each worker imports ``app.main`` once, as the launcher did;
- ``uvicorn.run(app)`` where the launcher builds ``app`` itself becomes
  ``"main:app"`` (the module as the process imports it: ``main`` for ``python
  main.py``, ``app.main`` for ``python -m app.main``). A worker then runs the
  module's top-level code twice: as ``__mp_main__`` (multiprocessing's spawn
  re-runs the script) and as ``main`` (the import string). That is harmless for code
  that only builds the app (imports, definitions, ``FastAPI()``, routers,
  ``include_router``, settings objects, loggers); anything else (a model loaded, a
  connection opened, a metric registered) would happen twice per worker, so then the
  launcher is left alone with a finding naming the statement.

``workers=int(os.environ.get("WEB_CONCURRENCY", N))`` is added: the variable uvicorn's
own CLI reads, so the host's setting wins, and N as for start commands. The call must
run only in the launched process (an ``if __name__ == "__main__":`` block, a function
only that block calls, or a package's ``__main__.py``): multiprocessing's spawn runs
the script again in each worker, and an unguarded call would start servers there.
``reload=True`` is a development setup: it is left to the reload rule (which makes it
``reload=settings.DEBUG`` when the project has that setting); without that rule, the
launcher is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.deployment import is_main_test
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

RUN_CALLS = frozenset({"uvicorn.run", "uvicorn.main.run"})
# Calls whose repetition in one process changes nothing: building the app and its
# routers, reading settings and the environment, getting a logger.
SAFE_PREFIXES = ("fastapi.", "starlette.", "pydantic", "pydantic_settings.", "typing.", "enum.", "dataclasses.")
SAFE_CALLS = frozenset({
    "logging.getLogger", "os.getenv", "os.environ.get", "pathlib.Path", "dotenv.load_dotenv",
    "logging.basicConfig", "functools.lru_cache", "collections.namedtuple", "typing.TypeVar",
})
SAFE_BUILTINS = frozenset({"dict", "list", "set", "tuple", "int", "str", "float", "bool", "frozenset", "len",
                           "sorted", "range", "getattr", "isinstance"})
APP_METHODS = frozenset({"include_router", "add_middleware", "mount", "add_exception_handler", "add_api_route",
                         "add_route", "add_event_handler", "middleware", "exception_handler"})


@dataclass(frozen=True)
class LauncherPlan:
    """The rewrite of one launcher's ``uvicorn.run``: the call is the ``index``-th
    ``uvicorn.run`` of module ``relpath`` in source order (at ``line`` when read);
    ``app`` is the import string replacing an app object (None: it is a string
    already); ``workers`` the value given to ``workers=``."""

    relpath: str
    index: int
    line: int
    app: str | None
    workers: str
    started_by: str

    @property
    def how(self) -> str:
        return f"workers={self.workers}" + (f', the app as "{self.app}"' if self.app else "")


def workers_expression(count: str) -> str:
    return f'int(os.environ.get("WEB_CONCURRENCY", {count}))'


def launcher_plan(project: Project, path: Path, info: FileInfo, started_as: str, started_by: str,
                  count: str, reload_rewritten: bool) -> LauncherPlan | str:
    """The plan for the module ``info`` a deployment file starts (``started_by``,
    ``file:line``) as module ``started_as``, or the finding saying why not.
    ``reload_rewritten``: the reload rule has a settings flag for this module (it
    rewrites ``reload=True`` in an ``if __name__ == "__main__":`` block)."""
    tree = project.tree(path)
    if tree is None:
        return f"{started_by} starts {info.relpath} with python, which could not be read: left unchanged"
    imports = ImportMap(tree, info.package, nested=True)
    runs = [call for call in _in_order(tree) if imports.qualified(call.func) in RUN_CALLS]
    wanted = [(index, call) for index, call in enumerate(runs)
              if not any(k.arg in ("workers", None) for k in call.keywords)]
    where = f"{started_by} starts the app with python, whose {info.relpath}"
    if len(wanted) != 1:
        return (f"{where} serves one worker: left unchanged (no single uvicorn.run call to change); pass workers= "
                "and the app as an import string (\"module:app\") by hand")
    index, call = wanted[0]
    at = f"{where}:{call.lineno}"
    if not _only_when_launched(tree, call, info):
        return (f"{at} calls uvicorn.run outside an `if __name__ == \"__main__\":` block: with workers, every "
                "worker process would run it again; left unchanged: move it into that block, then pass workers=")
    reload = next((k.value for k in call.keywords if k.arg == "reload"), None)
    in_main_block = any(call in set(walk(node)) for node in tree.body if isinstance(node, ast.If) and is_main_test(node.test))
    if isinstance(reload, ast.Constant) and reload.value is True and not (reload_rewritten and in_main_block):
        return (f"{at} reloads (reload=True), a development setup: left unchanged; production needs "
                "reload off and workers=")
    app = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "app"), None)
    if isinstance(app, ast.Constant) and isinstance(app.value, str):
        return LauncherPlan(info.relpath, index, call.lineno, None, workers_expression(count), started_by)
    string = _import_string(tree, imports, app, started_as)
    if string is None:
        return (f"{at} serves an app object uvicorn cannot import by name ({ast.unparse(app) if app else 'none'}): "
                "left unchanged; pass workers= and the app as an import string (\"module:app\") by hand")
    if string.partition(":")[0] == started_as:
        statement = _reruns(tree, imports)
        if statement is not None:
            return (f"{at} serves the app object this module builds: with workers, each worker imports it as "
                    f"\"{string}\" while the script also runs as __main__, so {info.relpath}:{statement.lineno} "
                    f"(`{_first_line(statement)}`) would run twice in every worker; left unchanged: move that into "
                    f"the lifespan, or start the app with `uvicorn {string} --workers N` in {started_by.split(':')[0]}")
    return LauncherPlan(info.relpath, index, call.lineno, string, workers_expression(count), started_by)


def _in_order(tree: ast.Module) -> list[ast.Call]:
    """The module's calls in source order (as libcst visits them)."""
    return sorted(nodes_of(tree, ast.Call), key=lambda call: (call.lineno, call.col_offset,
                                                               -(call.end_lineno or 0), -(call.end_col_offset or 0)))


def _only_when_launched(tree: ast.Module, call: ast.Call, info: FileInfo) -> bool:
    """``call`` runs only in the process started by the command: in a ``__main__``
    block, in a module-level function called only from one, or anywhere in a
    package's ``__main__.py`` (spawn does not run it again)."""
    if info.relpath.endswith("__main__.py"):
        return True
    blocks = [node for node in tree.body if isinstance(node, ast.If) and is_main_test(node.test)]
    if any(call in set(walk(block)) for block in blocks):
        return True
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    holder = next((function for function in functions.values() if call in set(walk(function))), None)
    if holder is None:
        return False
    callers = [node for node in nodes_of(tree, ast.Name) if node.id == holder.name and isinstance(node.ctx, ast.Load)]
    return bool(callers) and all(any(name in set(walk(block)) for block in blocks) for name in callers)


def _import_string(tree: ast.Module, imports: ImportMap, app: ast.expr | None, started_as: str) -> str | None:
    """``module:name`` for an app object the launcher imports or binds at module level."""
    if not isinstance(app, ast.Name):
        return None
    qualified = imports.qualified(app)
    if qualified is not None and "." in qualified:
        module, _, name = qualified.rpartition(".")
        return f"{module}:{name}"
    bound = [node for node in _top_level(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
             and any(isinstance(target, ast.Name) and target.id == app.id
                     for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    return f"{started_as}:{app.id}" if bound else None


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module-level statements that run on import, blocks opened (not a ``__main__`` block)."""
    def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        for node in body:
            if isinstance(node, ast.If) and is_main_test(node.test):
                continue
            if isinstance(node, (ast.If, ast.Try)):
                yield from statements([*node.body, *node.orelse, *getattr(node, "finalbody", [])])
                for handler in getattr(node, "handlers", []):
                    yield from statements(handler.body)
            else:
                yield node
    yield from statements(tree.body)


def _reruns(tree: ast.Module, imports: ImportMap) -> ast.stmt | None:
    """The first module-level statement that does more than build the app (see the
    module), or None."""
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    apps: set[str] = set()
    for node in _top_level(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            if all(_safe_call(call, imports, classes, apps) for call in nodes_of(node.value, ast.Call)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                apps.update(target.id for target in targets if isinstance(target, ast.Name))
                continue
            return node
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and all(
                _safe_call(call, imports, classes, apps) for call in nodes_of(node.value, ast.Call)):
            continue
        return node
    return None


def _safe_call(call: ast.Call, imports: ImportMap, classes: set[str], names: set[str]) -> bool:
    func = call.func
    qualified = imports.qualified(func) or ""
    if qualified in SAFE_CALLS or qualified.startswith(SAFE_PREFIXES):
        return True
    if isinstance(func, ast.Name):
        return func.id in classes or (func.id in SAFE_BUILTINS and func.id not in imports.names)
    # ``app.include_router(...)``: a method of an object the module built from safe calls.
    return (isinstance(func, ast.Attribute) and func.attr in APP_METHODS and isinstance(func.value, ast.Name)
            and func.value.id in names)


def _first_line(node: ast.stmt) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 60 else text[:57] + "..."
