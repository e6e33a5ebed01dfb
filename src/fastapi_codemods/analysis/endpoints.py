"""Routes, the dependencies they declare, and what every function calls (stdlib ``ast``).

The audit's questions about what runs during a request (a blocking call in an
``async def`` route, model inference in a route, a sync dependency doing I/O) all
need the same facts: which functions are routes, which callables they (and their
dependencies) depend on, and which names each function calls, resolved to absolute
dotted names so a call can be followed into the project's own helpers in other
modules. One per-file pass collects them for every module; `EndpointIndex` joins them.

A route is a function decorated ``@X.get(...)`` (any HTTP method, ``api_route`` or
``websocket``), whatever ``X`` is, or passed by name to ``X.add_api_route(...)`` in
the same module. A dependency is the target of ``Depends(...)``/``Security(...)``
in a parameter default, in ``Annotated[T, Depends(...)]`` (also through a
module-level alias of one) or in a decorator's ``dependencies=[...]``.

Names: ``module.function``, ``module.Class.method``; a call ``self.m()`` inside a
class resolves to that class's ``m``. Calls are a function's own: those in nested
functions, lambdas and classes belong to them. Module names come from the paths
under the root, so a ``src/`` layout's ``src.app.x`` is also found as ``app.x``
(`EndpointIndex.function` matches a unique dotted suffix).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.fastapi_names import ROUTE_METHODS
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo

ROUTE_DECORATORS = ROUTE_METHODS | {"websocket", "websocket_route"}
ROUTE_REGISTRATIONS = frozenset({"add_api_route", "add_api_websocket_route", "add_websocket_route"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class Call(NamedTuple):
    """One call in a function's own body, by the absolute name of what it calls."""

    name: str
    line: int
    column: int
    awaited: bool


class Function(NamedTuple):
    """A module-level function or a method, with what the audit needs of it."""

    name: str
    line: int
    column: int
    is_async: bool
    route: bool
    dependencies: tuple[str, ...]
    """Absolute names of the callables it declares with ``Depends``; unresolved ones left out."""
    calls: tuple[Call, ...]


def module_functions(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> tuple[Function, ...]:
    """Every function and method of one module (not nested functions)."""
    resolver = _Resolver(info.module, info.package, tree)
    registered = _registered_routes(tree)
    found = []
    for node, owner in _functions(tree):
        found.append(_summary(resolver, node, owner, registered))
    return tuple(found)


# Every file: a route's helpers and dependencies may live in any module.
FUNCTIONS = FilePass("endpoints.functions", (), module_functions)
FILE_PASSES = (FUNCTIONS,)


@dataclass
class EndpointIndex:
    """Every function of a set of modules, by absolute name, with its file."""

    entries: dict[str, tuple[FileInfo, Function]]

    @classmethod
    def of(cls, results: Iterator[tuple[Any, FileInfo, tuple[Function, ...]]]) -> EndpointIndex:
        """From `FUNCTIONS`' results (``(path, info, functions)``)."""
        return cls({function.name: (info, function) for _path, info, functions in results for function in functions})

    @property
    def routes(self) -> list[tuple[FileInfo, Function]]:
        return [entry for entry in self.entries.values() if entry[1].route]

    def function(self, name: str) -> tuple[FileInfo, Function] | None:
        """The function of that absolute name, or of the one name ending with it."""
        entry = self.entries.get(name)
        if entry is not None:
            return entry
        matches = self._by_suffix.get(name, ())
        return matches[0] if len(matches) == 1 else None

    def dependencies(self) -> dict[str, tuple[FileInfo, Function]]:
        """Every function some route depends on, directly or through other dependencies."""
        found: dict[str, tuple[FileInfo, Function]] = {}
        pending = [name for _info, route in self.routes for name in route.dependencies]
        while pending:
            entry = self.function(pending.pop())
            if entry is None or entry[1].name in found:
                continue
            found[entry[1].name] = entry
            pending.extend(entry[1].dependencies)
        return found

    def callees(self, function: Function) -> Iterator[tuple[Call, FileInfo, Function]]:
        """The project's own functions ``function`` calls, with the call."""
        for call in function.calls:
            entry = self.function(call.name)
            if entry is not None and entry[1] is not function:
                yield call, *entry

    @cached_property
    def _by_suffix(self) -> dict[str, list[tuple[FileInfo, Function]]]:
        """Each proper dotted suffix of every name (``app.x.f`` for ``src.app.x.f``)."""
        suffixes: dict[str, list[tuple[FileInfo, Function]]] = {}
        for name, entry in self.entries.items():
            parts = name.split(".")
            for start in range(1, len(parts) - 1):
                suffixes.setdefault(".".join(parts[start:]), []).append(entry)
        return suffixes


class _Resolver:
    """Absolute names of a module's expressions: its definitions, imports and builtins."""

    def __init__(self, module: str, package: str, tree: ast.Module) -> None:
        self.module = module
        self.package = package
        self.imports = ImportMap(tree, package)
        self.defined: set[str] = set()
        self.aliases: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.defined.add(target.id)
                        if node.value is not None:
                            self.aliases[target.id] = node.value

    def resolve(self, node: ast.AST, local: Mapping[str, str] | None = None, owner: str | None = None) -> str | None:
        """``a.b.c`` as an absolute dotted name, or None (a local variable's attribute)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        name = node.id
        if name in ("self", "cls") and owner is not None:
            base = owner
        elif local and name in local:
            base = local[name]
            if not base:  # a parameter or local variable
                return None
        elif name in self.imports.names:
            base = self.imports.names[name]
        elif name in self.defined:
            base = f"{self.module}.{name}" if self.module else name
        else:
            base = f"builtins.{name}"
        return ".".join([base, *reversed(parts)])

    def annotated_alias(self, annotation: ast.expr) -> ast.expr | None:
        """The ``Annotated[...]`` a module-level alias name stands for."""
        if isinstance(annotation, ast.Name):
            value = self.aliases.get(annotation.id)
            if isinstance(value, ast.Subscript) and self.resolve(value.value) in ANNOTATED:
                return value
        return None


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]]:
    """(function, class name or None) for module-level functions and methods."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, None
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield item, node.name


def _registered_routes(tree: ast.Module) -> frozenset[str]:
    """Names passed to ``X.add_api_route(...)`` (or a websocket kin) in the module."""
    names: set[str] = set()
    for call in nodes_of(tree, ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ROUTE_REGISTRATIONS:
            values = [*call.args, *(keyword.value for keyword in call.keywords)]
            names.update(value.id for value in values if isinstance(value, ast.Name))
    return frozenset(names)


def _summary(resolver: _Resolver, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None,
             registered: frozenset[str]) -> Function:
    module_prefix = f"{resolver.module}." if resolver.module else ""
    owner_name = f"{module_prefix}{owner}" if owner else None
    name = f"{owner_name}.{node.name}" if owner_name else f"{module_prefix}{node.name}"
    route_decorators = [d for d in node.decorator_list if _is_route_decorator(d)]
    route = bool(route_decorators) or (owner is None and node.name in registered)
    own = _own_nodes(node)
    local = _local_names(node, own, resolver.package)
    dependencies = [*_parameter_dependencies(resolver, node.args, local)]
    for decorator in route_decorators:
        for keyword in decorator.keywords:  # type: ignore[attr-defined]
            if keyword.arg == "dependencies" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                dependencies.extend(_depends_target(resolver, item, None, local) for item in keyword.value.elts)
    awaited = {id(n.value) for n in own if isinstance(n, ast.Await)}
    calls = []
    for sub in own:
        if isinstance(sub, ast.Call):
            called = resolver.resolve(sub.func, local, owner_name)
            if called is not None:
                calls.append(Call(called, sub.lineno, sub.col_offset + 1, id(sub) in awaited))
    return Function(
        name=name,
        line=node.lineno,
        column=node.col_offset + 1,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        route=route,
        dependencies=tuple(d for d in dependencies if d),
        calls=tuple(sorted(calls, key=lambda call: (call.line, call.column))),
    )


def _is_route_decorator(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_DECORATORS
    )


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's body that are not inside a nested scope."""
    stack: list[ast.AST] = list(function.body)
    found = []
    while stack:
        current = stack.pop()
        if isinstance(current, NESTED_SCOPES):
            continue
        found.append(current)
        stack.extend(ast.iter_child_nodes(current))
    return found


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef, own: list[ast.AST],
                 package: str) -> dict[str, str]:
    """Names bound in a function's own body: an import's absolute name (``import
    requests`` inside a route), or "" for a parameter or variable (its calls are
    methods of a value, not known functions)."""
    args = function.args
    local: dict[str, str] = {
        arg.arg: "" for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if arg
    }
    for node in own:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local[node.id] = ""
    for node in own:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    local[alias.asname] = alias.name
                else:
                    local[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            for alias in node.names:
                if alias.name != "*":
                    local[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return local


def _parameter_dependencies(resolver: _Resolver, args: ast.arguments, local: Mapping[str, str]) -> Iterator[str | None]:
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]:
        annotation = arg.annotation
        if annotation is not None:
            annotation = resolver.annotated_alias(annotation) or annotation
        for candidate in (default, annotation):
            yield _depends_target(resolver, candidate, arg.annotation, local)


def _depends_target(resolver: _Resolver, node: ast.AST | None, annotation: ast.AST | None,
                    local: Mapping[str, str]) -> str | None:
    """The absolute name of ``x`` in ``Depends(x)``/``Annotated[T, Depends(x)]``
    (``Depends()`` depends on the annotation's class)."""
    if node is None:
        return None
    if isinstance(node, ast.Subscript) and resolver.resolve(node.value, local) in ANNOTATED:
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner = elements[0] if elements else None
        for element in elements[1:]:
            target = _depends_target(resolver, element, inner, local)
            if target is not None:
                return target
        return None
    if not isinstance(node, ast.Call) or resolver.resolve(node.func, local) not in DEPENDS:
        return None
    target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dependency"), None)
    if target is None or (isinstance(target, ast.Constant) and target.value is None):
        target = annotation
    if target is None or isinstance(target, ast.Call):
        return None
    return resolver.resolve(target, local)
