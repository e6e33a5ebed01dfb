"""What an app does once per process when it starts, and state it only has under ``__main__`` (stdlib ``ast``).

Several workers (gunicorn's, or ``uvicorn --workers``) each import the app and run its
lifespan and startup handlers, at the same moment. Work that must happen once per
deployment then runs N times and races: creating the tables (``metadata.create_all``,
sync or through ``run_sync``: PostgreSQL enum types fail with ``UniqueViolationError``
and the worker does not boot), migrations (``alembic`` ``command.upgrade`` or an
``alembic upgrade`` command line), schedulers (``repeat_every``, an APScheduler
``start()``), background loops and listeners (``asyncio.create_task``,
``ensure_future``, a ``threading.Thread``), subprocesses (``subprocess``,
``asyncio.create_subprocess_*``, ``os.system``, ``multiprocessing.Process``).
`once_per_process` finds them in the app's startup: the module-level code of the
modules the main app's module imports (transitively), its lifespan function,
``on_event("startup")``/``add_event_handler("startup", ...)``/``on_startup=``
handlers and ``repeat_every`` functions, and the project functions these call (a few
calls deep). Model loading (``from_pretrained``, ``torch.load``, ...) is allowed per
worker, but each worker holds its own copy: it is returned as a note. So is a
scheduler or background task that a leader lock or a job-process setting confines to
one process (`leader_guards`), there or at a call on the way to it.

`main_only_state`: a module-level name assigned only under ``if __name__ ==
"__main__":`` and read by a function of the module does not exist when a server
imports the module (``gunicorn module:app``): every call of that function raises
``NameError``.

Reads trees through `Project`; no I/O of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.deployment import is_main_test
from fastapi_codemods.analysis.leader_guards import leader_guard
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

SUBPROCESS_CALLS = frozenset({
    "subprocess.Popen", "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell", "os.system", "os.popen",
    "multiprocessing.Process",
})
MIGRATION_CALLS = frozenset({"alembic.command.upgrade", "alembic.command.stamp"})
THREAD_CALLS = frozenset({"threading.Thread", "threading.Timer"})
MODEL_CALLS = frozenset({
    "torch.load", "joblib.load", "transformers.pipeline", "sentence_transformers.SentenceTransformer",
    "whisper.load_model", "spacy.load", "tensorflow.keras.models.load_model", "keras.models.load_model",
})
# Work a leader lock or a job-process setting may confine to one process (`leader_guards`).
LEADER_WORK = ("starts a scheduler", "starts a background task")
# How far through the project's own functions a startup handler is followed.
DEPTH = 4
MODULES = 300


@dataclass(frozen=True)
class Work:
    """One piece of startup work: where (root-relative ``relpath``, ``line``) and what."""

    relpath: str
    line: int
    what: str

    @property
    def where(self) -> str:
        return f"{self.relpath}:{self.line}"


class _Modules:
    """The root's modules by dotted name; a name the project spells from a deeper
    import root (``app.db`` for ``backend/app/db.py``) is found by its suffix."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_name = {info.module: (path, info) for path, info in project.files if info.relpath.endswith(".py")}
        self.suffixes: dict[str, list[str]] = {}
        for name in self.by_name:
            parts = name.split(".")
            for index in range(1, len(parts)):
                self.suffixes.setdefault(".".join(parts[index:]), []).append(name)

    def find(self, dotted: str) -> str | None:
        if dotted in self.by_name:
            return dotted
        found = self.suffixes.get(dotted, [])
        return found[0] if len(found) == 1 else None

    def split(self, qualified: str) -> tuple[str, str] | None:
        """(module, rest) for the longest module prefix of ``qualified`` in the root."""
        parts = qualified.split(".")
        for index in range(len(parts), 0, -1):
            module = self.find(".".join(parts[:index]))
            if module is not None:
                return module, ".".join(parts[index:])
        return None

    def tree(self, module: str) -> tuple[FileInfo, ast.Module, ImportMap] | None:
        path, info = self.by_name[module]
        tree = self.project.tree(path)
        if tree is None:
            return None
        return info, tree, ImportMap(tree, info.package, nested=True)


def modules_reached(project: Project, start: str) -> Iterator[tuple[FileInfo, ast.Module]]:
    """The (file, tree) of ``start`` and the root's modules it imports (`reached_modules`)."""
    modules = _Modules(project)
    for name in _reached(modules, start):
        loaded = modules.tree(name)
        if loaded is not None:
            yield loaded[0], loaded[1]


def reached_modules(project: Project, start: str) -> list[str]:
    """``start`` and the root's modules it imports, transitively (imports inside
    functions too: a lifespan often imports what it runs)."""
    modules = _Modules(project)
    return _reached(modules, start)


def _reached(modules: _Modules, start: str) -> list[str]:
    order, queue = [start], [start]
    while queue and len(order) < MODULES:
        loaded = modules.tree(queue.pop(0))
        if loaded is None:
            continue
        info, tree, _imports = loaded
        for node in nodes_of(tree, ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = absolute_module(node, info.package)
                names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names if alias.name != "*"]
                names.append(base)
            for name in names:
                found = modules.split(name)
                if found is not None and found[0] not in order:
                    order.append(found[0])
                    queue.append(found[0])
    return order


def once_per_process(project: Project, module: str, app_calls: list[ast.Call]) -> tuple[list[Work], list[Work]]:
    """(work that must happen once per deployment, model loading notes) in the
    startup of the app built by ``app_calls`` in ``module``; see the module."""
    modules = _Modules(project)
    blocking: dict[tuple[str, int], Work] = {}
    notes: dict[tuple[str, int], Work] = {}
    seen: set[tuple[str, int]] = set()

    def visit(module_name: str, nodes: list[ast.AST], depth: int, startup: bool, guard: str | None = None) -> None:
        """``guard``: what already makes this code run in one process (`leader_guards`),
        from the call site that led here."""
        loaded = modules.tree(module_name)
        if loaded is None:
            return
        info, tree, imports = loaded
        for node in nodes:
            for found, is_note, site in _work_in(node, imports, startup):
                # Only a job may run in one elected process: tables or migrations skipped by
                # the workers that lose a lock would be missing while they already serve.
                elected = (guard or leader_guard(node, site)) if found[1].startswith(LEADER_WORK) else None
                if elected:
                    found, is_note = (found[0], f"{found[1]} at startup only in the process that {elected}"), True
                (notes if is_note else blocking).setdefault((info.relpath, found[0]), Work(info.relpath, *found))
            if depth >= DEPTH:
                continue
            for call in nodes_of(node, ast.Call):
                target = _function_of(call.func, module_name, tree, imports, modules)
                if target is None or (target[0], target[1].lineno) in seen:
                    continue
                seen.add((target[0], target[1].lineno))
                visit(target[0], [target[1]], depth + 1, startup, guard or leader_guard(node, call))

    for name in _reached(modules, module):
        loaded = modules.tree(name)
        if loaded is None:
            continue
        info, tree, imports = loaded
        visit(name, list(_import_time_statements(tree)), 0, False)
        visit(name, list(_startup_functions(tree, imports, app_calls if name == module else [], modules, name)), 0, True)
    key = lambda work: (work.relpath, work.line)  # noqa: E731
    return sorted(blocking.values(), key=key), sorted(notes.values(), key=key)


def _import_time_statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module-level statements that run on import (not definitions, not a ``__main__`` block)."""
    def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.If) and is_main_test(node.test):
                yield from statements(node.orelse)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                yield from statements([*getattr(node, "body", []), *getattr(node, "orelse", []),
                                       *getattr(node, "finalbody", [])])
                for handler in getattr(node, "handlers", []):
                    yield from statements(handler.body)
            else:
                yield node
    yield from statements(tree.body)


def _startup_functions(tree: ast.Module, imports: ImportMap, app_calls: list[ast.Call], modules: _Modules,
                       module: str) -> Iterator[ast.AST]:
    """The module's startup handlers: the lifespan and ``on_startup`` functions of
    ``app_calls``, ``on_event("startup")`` and ``add_event_handler("startup", f)``
    functions, and ``repeat_every`` functions (the decorator itself is the finding)."""
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for call in app_calls:
        for keyword in call.keywords:
            values = keyword.value.elts if isinstance(keyword.value, (ast.List, ast.Tuple)) else [keyword.value]
            if keyword.arg in ("lifespan", "on_startup"):
                for value in values:
                    target = _function_of(value, module, tree, imports, modules)
                    if target is not None:
                        yield target[1]
    for node in functions.values():
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == "on_event" and _first_string(decorator) == "startup"):
                yield node
            elif _is_repeat_every(decorator, imports):
                yield decorator
    for call in nodes_of(tree, ast.Call):
        if (isinstance(call.func, ast.Attribute) and call.func.attr == "add_event_handler"
                and _first_string(call) == "startup" and len(call.args) > 1):
            target = _function_of(call.args[1], module, tree, imports, modules)
            if target is not None:
                yield target[1]


def _first_string(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _is_repeat_every(decorator: ast.AST, imports: ImportMap) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = imports.qualified(func) or (func.id if isinstance(func, ast.Name) else "")
    return name.rpartition(".")[2] == "repeat_every"


def _function_of(node: ast.AST, module: str, tree: ast.Module, imports: ImportMap,
                 modules: _Modules) -> tuple[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The project function ``node`` names: a module-level def of this module, or
    one the module imports (``from app.db import init_db``, ``db.init_db``)."""
    if isinstance(node, ast.Name):
        local = _module_function(tree, node.id)
        if local is not None and node.id not in imports.names:
            return module, local
    qualified = imports.qualified(node)
    if qualified is None:
        return None
    found = modules.split(qualified)
    if found is None or not found[1] or "." in found[1]:
        return None
    loaded = modules.tree(found[0])
    if loaded is None:
        return None
    function = _module_function(loaded[1], found[1])
    return (found[0], function) if function is not None else None


def _module_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def _work_in(node: ast.AST, imports: ImportMap, startup: bool
             ) -> Iterator[tuple[tuple[int, str], bool, ast.AST]]:
    """((line, what), is_note, the node) for each piece of once-per-deployment work or
    model loading in ``node``; background tasks and threads count only in startup
    handlers (``startup``), where they start with each worker."""
    if startup and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_repeat_every(node, imports):
        yield (node.lineno, "a repeat_every scheduler (runs in every worker)"), False, node
        return
    for sub in walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "create_all":
            yield (sub.lineno, "creates the database tables (metadata.create_all)"), False, sub
        if isinstance(sub, (ast.List, ast.Tuple)):
            strings = [e.value for e in sub.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if strings[:2] == ["alembic", "upgrade"]:
                yield (sub.lineno, "runs the migrations (alembic upgrade)"), False, sub
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "alembic upgrade" in sub.value:
            yield (sub.lineno, "runs the migrations (alembic upgrade)"), False, sub
        if not isinstance(sub, ast.Call):
            continue
        qualified = imports.qualified(sub.func) or ""
        attribute = sub.func.attr if isinstance(sub.func, ast.Attribute) else ""
        if qualified in MIGRATION_CALLS:
            yield (sub.lineno, f"runs the migrations ({qualified})"), False, sub
        elif qualified in SUBPROCESS_CALLS:
            yield (sub.lineno, f"starts a subprocess ({qualified})"), False, sub
        elif qualified.startswith("apscheduler.") or (
                attribute == "start" and "sched" in ast.unparse(sub.func.value).lower()):  # type: ignore[attr-defined]
            if attribute == "start":
                yield (sub.lineno, "starts a scheduler (APScheduler start())"), False, sub
        elif startup and (attribute in ("create_task", "ensure_future") or qualified in THREAD_CALLS):
            yield (sub.lineno, f"starts a background task ({ast.unparse(sub.func)}) in every worker"), False, sub
        elif qualified in MODEL_CALLS or attribute == "from_pretrained":
            yield (sub.lineno, f"loads a model ({ast.unparse(sub.func)})"), True, sub


def main_only_state(project: Project, module: str) -> list[Work]:
    """Reads, in functions of ``module``, of module-level names assigned only under
    ``if __name__ == "__main__":`` (one per name, at its first read)."""
    modules = _Modules(project)
    loaded = modules.tree(module)
    if loaded is None:
        return []
    info, tree, imports = loaded
    in_main: dict[str, int] = {}
    elsewhere: set[str] = set(imports.names)
    for node in tree.body:
        if isinstance(node, ast.If) and is_main_test(node.test):
            for sub in walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    in_main.setdefault(sub.id, sub.lineno)
            continue
        for sub in walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and not _inside_function(node, sub):
                elsewhere.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is node:
                elsewhere.add(sub.name)
            elif isinstance(sub, ast.Global):
                elsewhere.update(sub.names)
    only_main = {name: line for name, line in in_main.items() if name not in elsewhere}
    found: list[Work] = []
    for function in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef):
        local = {sub.id for sub in walk(function) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)}
        local |= {a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]}
        for sub in walk(function):
            if (isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in only_main
                    and sub.id not in local):
                found.append(Work(info.relpath, sub.lineno,
                                  f"{sub.id!r} is assigned only under `if __name__ == \"__main__\":` "
                                  f"({info.relpath}:{only_main.pop(sub.id)})"))
                break
    return found


def _inside_function(top: ast.stmt, node: ast.AST) -> bool:
    """Whether ``node`` is bound inside a function or class of the statement ``top``."""
    if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    for sub in walk(top):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) and node in walk(sub):
            return True
    return False
