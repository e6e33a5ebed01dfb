"""State an app keeps in its process, which several workers would split (stdlib ``ast``).

One worker process holds every request's view of a module-level dict, list or set.
With several workers, each has its own copy and a request sees only what its own
worker saw before:

- a store: a container a route handler writes and another function reads (``jobs[id]
  = job`` in ``POST /jobs``, ``jobs[id]`` in ``GET /jobs/{id}``): a request served by
  another worker gets a 404;
- a connection manager: a module-level instance of a project class whose methods add
  to and remove from a ``self`` list, dict or set (FastAPI's WebSocket example's
  ``ConnectionManager``): a broadcast reaches only that worker's clients;
- an in-memory rate limiter (slowapi's ``Limiter`` without ``storage_uri``): each
  worker counts its own requests, so every limit becomes N times higher;
- an in-memory session or cache backend (``InMemoryBackend``) for sessions.

These change what a person sees, so they block the change. A container a handler
both fills and reads itself (a cache: ``if key in cache: return cache[key]``), one
whose name says cache, and an in-memory cache backend (fastapi-cache) only cost
memory and hit rate: a note.
Looked for in the main app's module and the project modules it imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_codemods.analysis.astindex import walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.startup_work import Work, modules_reached

ROUTE_DECORATORS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "api_route", "websocket",
                              "route", "api_websocket_route"})
CONTAINER_CALLS = frozenset({"dict", "list", "set", "collections.defaultdict", "collections.OrderedDict",
                             "collections.deque", "collections.Counter"})
CACHE_CALLS = ("cachetools.", "cachetools.TTLCache", "cachetools.LRUCache")
MUTATORS = frozenset({"append", "extend", "add", "update", "pop", "popitem", "setdefault", "clear", "remove",
                      "insert", "discard", "appendleft", "popleft"})
READERS = frozenset({"get", "values", "items", "keys", "copy", "count", "index"})
# Methods that read what they remove or find: a reader and a writer at once.
TAKERS = frozenset({"pop", "popitem", "setdefault", "popleft"})
LIMITERS = frozenset({"slowapi.Limiter", "slowapi.extension.Limiter"})
CACHE_WORDS = frozenset({"cache", "cached", "caches", "memo", "lru"})


def process_state(project: Project, module: str) -> tuple[list[Work], list[Work]]:
    """(state several workers would split, caches each worker fills for itself) in
    ``module`` and the project modules it imports; see the module."""
    blocking: list[Work] = []
    notes: list[Work] = []
    for info, tree in modules_reached(project, module):
        imports = ImportMap(tree, info.package, nested=True)
        for line, what, blocks in _state_in(tree, imports):
            (blocking if blocks else notes).append(Work(info.relpath, line, what))
    key = lambda work: (work.relpath, work.line)  # noqa: E731
    return sorted(blocking, key=key), sorted(notes, key=key)


def _state_in(tree: ast.Module, imports: ImportMap) -> Iterator[tuple[int, str, bool]]:
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    handlers = {function.name for function in functions if _is_route(function)}
    # A handler's own helpers run per request too (one call away, in this module).
    requests = handlers | {call.func.id for function in functions if function.name in handlers
                           for call in walk(function) if isinstance(call, ast.Call)
                           and isinstance(call.func, ast.Name)}
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in tree.body:
        target, value = _assigned(node)
        if target is None or value is None:
            continue
        qualified = imports.qualified(value.func) if isinstance(value, ast.Call) else None
        if qualified in LIMITERS and not any(k.arg == "storage_uri" for k in value.keywords):  # type: ignore[union-attr]
            yield (node.lineno, f"counts rate limits in the process ({target} = Limiter(...) without storage_uri): "
                                "each worker counts its own requests, so every limit becomes N times higher", True)
        elif qualified and qualified.rpartition(".")[2] == "InMemoryBackend" and "session" in qualified:
            yield node.lineno, f"keeps sessions in the process ({target}: {qualified})", True
        elif _is_container(value, imports) or (qualified or "").startswith(CACHE_CALLS):
            found = _container_use(target, functions, requests)
            if found is not None:
                yield (node.lineno, *found)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in classes:
            attribute = _managed_attribute(classes[value.func.id])
            if attribute and any(_calls_method_of(function, target) for function in functions
                                 if function.name in requests):
                yield (node.lineno, f"keeps {target}.{attribute} in the process ({value.func.id}): each worker "
                                    "has its own, so what one request adds another worker does not see (a "
                                    "broadcast reaches only that worker's clients)", True)
    for node in walk(tree):
        if isinstance(node, ast.Call) and (imports.qualified(node.func) or "").endswith("InMemoryBackend") and \
                "cache" in (imports.qualified(node.func) or ""):
            yield (node.lineno, "caches responses in the process (InMemoryBackend): each worker fills its own "
                                "cache (memory x workers)", False)


def _assigned(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def _is_route(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
               and decorator.func.attr in ROUTE_DECORATORS for decorator in function.decorator_list)


def _is_container(value: ast.expr, imports: ImportMap) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set)):
        return True
    if not isinstance(value, ast.Call):
        return False
    name = value.func.id if isinstance(value.func, ast.Name) and value.func.id not in imports.names else None
    return (name or imports.qualified(value.func)) in CONTAINER_CALLS


def _container_use(name: str, functions: list, requests: set[str]) -> tuple[str, bool] | None:
    """(what, blocks) for a module-level container a request writes; None otherwise."""
    writers, readers = set(), set()
    for function in functions:
        if _binds(function, name):
            continue
        for node in walk(function):
            if _writes(node, name):
                writers.add(function.name)
            if _reads(node, name):
                readers.add(function.name)
    request_writers = writers & requests
    if not request_writers:
        return None
    # A store when a function reads what another one wrote (``verify_otp`` popping the
    # code ``request_otp`` stored); a cache when each reads only what it writes itself.
    others = sorted(reader for reader in readers if request_writers - {reader})
    # A name saying cache is the project's word that a miss is fine (seen on skyvern:
    # ``_TOTP_CODE_PREVIEW_CACHE`` filled by one helper and pruned by another).
    if others and not set(re.split(r"[^a-z]+", name.lower())) & CACHE_WORDS:
        writer = sorted(request_writers - {others[0]})[0]
        return (f"keeps {name!r} in the process (written in {writer}, read in {others[0]}): "
                "each worker has its own, so a request served by another worker does not see what this one "
                "stored; keep it in a shared store (a database, Redis)", True)
    return f"caches in {name!r} in the process: each worker fills its own (memory x workers)", False


def _binds(function: ast.AST, name: str) -> bool:
    """``name`` is a parameter or a local of ``function`` (not the module's)."""
    arguments = function.args  # type: ignore[attr-defined]
    params = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    declared = any(isinstance(node, ast.Global) and name in node.names for node in walk(function))
    stored = any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
                 for node in walk(function))
    return name in params or (stored and not declared)


def _writes(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return _is_name(node.value, name)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        return _is_name(node.func.value, name)
    return isinstance(node, ast.AugAssign) and _is_name(node.target, name)


def _reads(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return _is_name(node.value, name)
    if isinstance(node, ast.Attribute) and node.attr in READERS | TAKERS:
        return _is_name(node.value, name)
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        return any(_is_name(item, name) for item in node.comparators)
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return _is_name(node.iter, name)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("len", "list", "sorted") \
        and any(_is_name(argument, name) for argument in node.args)


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _managed_attribute(cls: ast.ClassDef) -> str | None:
    """``connections`` when ``__init__`` sets ``self.connections = []`` (or a dict or
    set) and another method adds to or removes from it."""
    methods = [node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    init = next((method for method in methods if method.name == "__init__"), None)
    if init is None:
        return None
    containers = {target.attr for node in walk(init) if isinstance(node, (ast.Assign, ast.AnnAssign))
                  and isinstance(node.value, (ast.List, ast.Dict, ast.Set))
                  for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                  if isinstance(target, ast.Attribute)
                  and isinstance(target.value, ast.Name) and target.value.id == "self"}
    for method in methods:
        if method is init:
            continue
        for node in walk(method):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in containers
                    and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "self"):
                return node.func.value.attr
    return None


def _calls_method_of(function: ast.AST, name: str) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and _is_name(node.func.value, name) for node in walk(function))
