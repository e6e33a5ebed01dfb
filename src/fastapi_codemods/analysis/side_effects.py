"""Cross-file facts for ``background_tasks``, read with the stdlib ``ast``.

A background task must never carry the request's database session or anything
built from it. Whether a route parameter holds one depends on its dependency,
which usually lives in another module (``deps.py``), and on what that dependency
itself depends on. This pass finds, for the whole root:

- request-scoped dependencies: functions containing ``yield`` (FastAPI closes them
  around the request), and every function or class that (transitively) depends on
  one, plus ``X = Annotated[T, Depends(dep)]`` aliases of them;
- every dependency callable defined in the root (a dependency not found here is
  unknown and treated as request-scoped by the transform);
- ``async def`` functions and methods (``add_task`` awaits only async callables;
  anything else runs in a thread and its coroutine would never be awaited);
- app and router objects bound at module level (routes decorated in another module);
- direct calls of functions, so an endpoint that is also called as a plain function
  does not get a new required parameter.

Names are absolute dotted names (``app.api.deps.get_db``).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from fastapi_codemods.analysis import routes
from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, import_bindings
from fastapi_codemods.analysis.candidates import Candidates
from fastapi_codemods.analysis.fastapi_names import (
    APP_CLASSES,
    ROUTER_CLASSES,
)
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo

DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
SCALAR_TYPES = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.bytes",
        "uuid.UUID",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "decimal.Decimal",
    }
)
SCALAR_BUILTINS = frozenset(name.split(".")[1] for name in SCALAR_TYPES if name.startswith("builtins."))
TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod"})
ALIAS_PREFIX = "alias:"
GATHER = frozenset({"asyncio.gather", "asyncio.wait_for", "asyncio.wait", "asyncio.shield", "asyncio.as_completed"})
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class CallMatcher:
    """The ``patterns``, ``calls`` and ``exclude`` options, applied to one called name.

    Shared by the transform (names from libcst) and the candidate-file pass (names
    from ``ast``), so both agree on what a notification call is.
    """

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.patterns = [re.compile(p) for p in options["patterns"]]
        self.calls: list[str] = list(options["calls"])
        self.exclude: list[str] = list(options["exclude"])

    def match(self, last: str, names: AbstractSet[str], sure: AbstractSet[str] | None = None) -> bool | None:
        """None when the call is no candidate, else whether it is named under ``calls``.

        ``last`` is the called name (``send`` in ``mailer.send``), ``names`` its
        qualified names and dotted code. ``sure`` (default ``names``) are the names
        checked against ``exclude``: a caller that over-approximates ``names`` passes
        only those it is certain of, so a guess never excludes a call.
        """

        def named(entries: list[str], candidates: AbstractSet[str]) -> bool:
            return any(entry in candidates or ("." not in entry and entry == last) for entry in entries)

        if named(self.exclude, names if sure is None else sure):
            return None
        if named(self.calls, names):
            return True
        if any(pattern.search(last) for pattern in self.patterns):
            return False
        return None


@dataclass(frozen=True)
class BackgroundFacts:
    """What the transform needs to know about the rest of the root."""

    scoped: frozenset[str] = frozenset()
    """Dependencies (functions, classes, Annotated aliases) whose value is request-scoped."""
    known: frozenset[str] = frozenset()
    """Every function, class and Annotated alias defined at module or class level."""
    yield_origin: dict[str, str] = field(default_factory=dict)
    """Scoped name -> the yield dependency it comes from (for readable findings)."""
    async_functions: frozenset[str] = frozenset()
    """Undecorated ``async def`` functions and methods (``mod.f``, ``mod.Class.m``)."""
    async_method_names: frozenset[str] = frozenset()
    """Method names that are an undecorated ``async def`` in every class defining them."""
    routers: frozenset[str] = frozenset()
    direct_calls: frozenset[str] = frozenset()
    """Absolute names of called functions that resolved through imports or module defs."""
    direct_call_names: frozenset[str] = frozenset()
    """Bare names of calls that did not resolve (function-local imports). Unresolved
    attribute calls (``obj.f()``) are methods or modules imported inside a function:
    counting them would refuse every endpoint named like a common method."""
    candidates: Candidates | None = None
    """Files with an ``async`` route that awaits (or gathers) a matching call: the
    only ones the transform can rewrite or report on. None: not computed."""


class _Module:
    """One module's imports and top-level definitions."""

    def __init__(self, module: str, package: str, tree: ast.Module, relpath: str = "") -> None:
        self.module = module
        self.relpath = relpath
        self.tree = tree
        self.imports = ImportMap(tree, package)
        self.defined = {
            name
            for node in tree.body
            for name in _defined_names(node)
        }
        # Most modules never yield: their functions need no walk to know it.
        self.yield_lines = sorted(node.lineno for node in nodes_of(tree, ast.Yield, ast.YieldFrom))

    def may_yield(self, function: ast.AST) -> bool:
        """A yield sits within the lines of ``function`` (perhaps in a nested scope)."""
        start = bisect.bisect_left(self.yield_lines, function.lineno)  # type: ignore[attr-defined]
        return start < len(self.yield_lines) and self.yield_lines[start] <= function.end_lineno  # type: ignore[attr-defined]

    def resolve(self, node: ast.AST) -> str | None:
        """Absolute name of a ``Name``/``Attribute`` chain, or None."""
        if isinstance(node, ast.Name) and node.id in self.defined:
            return f"{self.module}.{node.id}"
        qualified = self.imports.qualified(node)
        if qualified is not None:
            return qualified
        if isinstance(node, ast.Name) and node.id in SCALAR_BUILTINS:
            return f"builtins.{node.id}"
        return None


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):  # Python 3.12+
        return [node.name.id]
    return []


@dataclass
class _ModuleFacts:
    """What one module contributes to `BackgroundFacts` (the per-file pass's result)."""

    wanted: bool = False
    """A route awaits a matching call and its owner is an app or router built here."""
    route_owners: frozenset[str] = frozenset()
    """Otherwise, the names the owners of such routes may have: the module is a
    candidate when one of them is an app or router built elsewhere."""
    yields: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    depends_on: dict[str, list[tuple[str | None, bool]]] = field(default_factory=dict)
    aliases: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    async_functions: set[str] = field(default_factory=set)
    async_methods: set[str] = field(default_factory=set)
    sync_methods: set[str] = field(default_factory=set)
    routers: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    call_names: set[str] = field(default_factory=set)

    def absorb(self, other: _ModuleFacts) -> None:
        """Add another module's definitions and calls (a later module's entry wins)."""
        for names in ("yields", "known", "async_functions", "async_methods", "sync_methods", "routers",
                      "calls", "call_names"):
            getattr(self, names).update(getattr(other, names))
        self.depends_on.update(other.depends_on)
        self.aliases.update(other.aliases)


def module_facts(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> _ModuleFacts:
    """One module's share of the facts: its definitions, dependencies and calls."""
    mod = _Module(info.module, info.package, tree, info.relpath)
    wanted, route_owners = _may_move_or_report(tree, info.module, info.package, CallMatcher(options))
    found = _ModuleFacts(wanted=wanted, route_owners=route_owners)
    for node in tree.body:
        _collect_top(mod, node, found)
        if isinstance(node, ast.ClassDef):
            _collect_class(mod, node, found)
    _collect_calls(mod, found)
    return found


# Every file: a dependency may live in any module.
MODULE_FACTS = FilePass("background_tasks.modules", (), module_facts)

# The transform's declarations (`BackgroundTasksTransform` refers to them), here so
# the driver reads them without importing libcst.
FILE_PASSES = (MODULE_FACTS,)

# Call names that look like side effects a response need not wait for.
DEFAULT_PATTERNS = [
    r"^send_(sms|text|email|mail|push|notification|webhook)",
    r"^notify(_|$)",
    r"^(send|push|dispatch|create)_notifications?(_|$)",
    r"^(log_|write_|record_|emit_|create_)?audit(_|$)",
    r"^(log_|record_|emit_)?track(_|$)",
    r"^(send_|log_|record_|emit_)?analytics(_|$)",
    r"^publish(_|$)",
    r"^enqueue(_|$)",
]
OPTIONS = {"patterns": DEFAULT_PATTERNS, "calls": [], "exclude": []}


def analyze(project: Any, options: Mapping[str, Any]) -> BackgroundFacts:
    """Combine every parsable module's facts into `BackgroundFacts`."""
    scanned: set[str] = set()
    wanted: set[str] = set()
    route_owners: dict[str, frozenset[str]] = {}
    combined = _ModuleFacts()
    for _path, info, found in project.results(MODULE_FACTS, options):
        scanned.add(info.relpath)
        if found.wanted:
            wanted.add(info.relpath)
        elif found.route_owners:
            route_owners[info.relpath] = found.route_owners
        combined.absorb(found)

    wanted.update(relpath for relpath, names in route_owners.items() if names & combined.routers)
    scoped, origin = _propagate(combined.yields, combined.depends_on, combined.aliases, combined.known)
    return BackgroundFacts(
        scoped=frozenset(scoped),
        known=frozenset(combined.known),
        yield_origin=origin,
        async_functions=frozenset(combined.async_functions),
        async_method_names=frozenset(combined.async_methods - combined.sync_methods),
        routers=frozenset(combined.routers),
        direct_calls=frozenset(combined.calls),
        direct_call_names=frozenset(combined.call_names),
        candidates=Candidates(frozenset(wanted), frozenset(scanned)),
    )


def _collect_top(mod: _Module, node: ast.stmt, found: _ModuleFacts) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        name = f"{mod.module}.{node.name}"
        found.known.add(name)
        if mod.may_yield(node) and _contains_yield(node):
            found.yields.add(name)
        found.depends_on[name] = _parameter_dependencies(mod, node.args)
        if isinstance(node, ast.AsyncFunctionDef) and not node.decorator_list:
            found.async_functions.add(name)
        return
    value: ast.AST | None = None
    targets: list[str] = []
    if isinstance(node, ast.Assign):
        value, targets = node.value, [t.id for t in node.targets if isinstance(t, ast.Name)]
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        value, targets = node.value, [node.target.id]
    elif hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):  # Python 3.12+
        value, targets = node.value, [node.name.id]
    if value is None:
        return
    if isinstance(value, ast.Call) and mod.resolve(value.func) in APP_CLASSES | ROUTER_CLASSES:
        found.routers.update(f"{mod.module}.{target}" for target in targets)
    dependency = _annotated_dependency(mod, value)
    if dependency is not None:
        for target in targets:
            name = f"{mod.module}.{target}"
            found.known.add(name)
            found.aliases[name] = dependency


def _collect_class(mod: _Module, node: ast.ClassDef, found: _ModuleFacts) -> None:
    class_name = f"{mod.module}.{node.name}"
    found.known.add(class_name)
    for item in node.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        plain = all(
            isinstance(d, ast.Name) and d.id in TRANSPARENT_DECORATORS for d in item.decorator_list
        )
        if isinstance(item, ast.AsyncFunctionDef) and plain:
            found.async_functions.add(f"{class_name}.{item.name}")
            found.async_methods.add(item.name)
        else:
            found.sync_methods.add(item.name)
        if item.name == "__init__":
            found.depends_on[class_name] = _parameter_dependencies(mod, item.args)
            if mod.may_yield(item) and _contains_yield(item):
                found.yields.add(class_name)


def _contains_yield(function: ast.AST) -> bool:
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _parameter_dependencies(mod: _Module, args: ast.arguments) -> list[tuple[str | None, bool]]:
    """(dependency name or None when unresolved, parameter typed as a scalar) per ``Depends``."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]
    found: list[tuple[str | None, bool]] = []
    for arg, default in pairs:
        scalar = _is_scalar(mod, arg.annotation)
        for candidate in (default, arg.annotation):
            dependency = _depends_target(mod, candidate, arg.annotation)
            if dependency is not None:
                found.append((dependency[0], scalar))
        if arg.annotation is not None:
            # Whether this names an ``Annotated`` alias is known only once every
            # module is read: `_propagate` follows it only when it is one.
            alias = mod.resolve(arg.annotation)
            if alias is not None:
                found.append((ALIAS_PREFIX + alias, scalar))
    return found


def _depends_target(mod: _Module, node: ast.AST | None, annotation: ast.AST | None) -> tuple[str | None] | None:
    """For ``Depends(x)`` (or ``Annotated[T, Depends(x)]``) return (name of x,)."""
    if node is None:
        return None
    if isinstance(node, ast.Subscript) and mod.resolve(node.value) in ANNOTATED:
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        inner = elements[0] if elements else None
        for element in elements[1:]:
            target = _depends_target(mod, element, inner)
            if target is not None:
                return target
        return None
    if not isinstance(node, ast.Call) or mod.resolve(node.func) not in DEPENDS:
        return None
    target = node.args[0] if node.args else next(
        (k.value for k in node.keywords if k.arg == "dependency"), None
    )
    if target is None or (isinstance(target, ast.Constant) and target.value is None):
        target = annotation
    if target is None:
        return (None,)
    if isinstance(target, ast.Call):
        return (None,)
    return (mod.resolve(target),)


def _annotated_dependency(mod: _Module, value: ast.AST) -> tuple[str | None, bool] | None:
    if not (isinstance(value, ast.Subscript) and mod.resolve(value.value) in ANNOTATED):
        return None
    target = _depends_target(mod, value, None)
    if target is None:
        return None
    elements = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
    return target[0], _is_scalar(mod, elements[0] if elements else None)


def _is_scalar(mod: _Module, annotation: ast.AST | None) -> bool:
    """``str``, ``int``, ``UUID``..., optionally ``Optional[...]`` or ``| None``."""
    if annotation is None:
        return False
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        parts = [annotation.left, annotation.right]
        return any(_is_scalar(mod, p) for p in parts) and all(
            _is_scalar(mod, p) or (isinstance(p, ast.Constant) and p.value is None) for p in parts
        )
    if isinstance(annotation, ast.Subscript) and mod.resolve(annotation.value) in {
        "typing.Optional",
        "typing_extensions.Optional",
    }:
        return _is_scalar(mod, annotation.slice)
    if isinstance(annotation, ast.Subscript) and mod.resolve(annotation.value) in ANNOTATED:
        elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return bool(elements) and _is_scalar(mod, elements[0])
    return mod.resolve(annotation) in SCALAR_TYPES


def _propagate(yields, depends_on, aliases, known) -> tuple[set[str], dict[str, str]]:
    """Every name whose value (transitively) comes from a yield dependency.

    An unresolved dependency of a dependency does not propagate (it would make
    almost everything scoped); the transform treats unknown route dependencies as
    scoped itself. A parameter typed as a scalar (``token: str``) never carries one.
    """
    origin = {name: name for name in yields}
    changed = True
    while changed:
        changed = False
        for name, (target, scalar) in aliases.items():
            if name not in origin and not scalar and target in origin:
                origin[name] = origin[target]
                changed = True
        for name, dependencies in depends_on.items():
            if name in origin:
                continue
            for target, scalar in dependencies:
                if target is not None and target.startswith(ALIAS_PREFIX):
                    target = target.removeprefix(ALIAS_PREFIX)
                    if target not in aliases:
                        continue
                if not scalar and target in origin:
                    origin[name] = origin[target]
                    changed = True
                    break
    return set(origin), origin


def _collect_calls(mod: _Module, found: _ModuleFacts) -> None:
    for node in nodes_of(mod.tree, ast.Call):
        func = node.func
        resolved = mod.resolve(func)
        if resolved is not None:
            found.calls.add(resolved)
        elif isinstance(func, ast.Name):
            # A function-local import (common in tests) leaves the name unresolved.
            found.call_names.add(func.id)


def _may_move_or_report(tree: ast.Module, module: str, package: str, matcher: CallMatcher) -> tuple[bool, frozenset[str]]:
    """Whether an ``async`` route of the module awaits a matching call, or passes one
    to ``asyncio.gather`` and the like: what the transform moves or reports.

    (True, _) when such a route's owner may be an app or router the module builds;
    else the names its owners may have: the file is a candidate when one of them is
    an app or router another module builds (known only once every module is read).

    An over-approximation of the transform's own checks, never an under-one: any
    ``@X.<method>(...)`` decorator or ``X.add_api_route(..., f)`` counts as a route
    when X is assigned a call of anything that may be ``FastAPI`` or ``APIRouter``
    anywhere in the module, every statement of the body is searched, and a name may
    mean whatever any import of the module binds it to.
    """
    owners = async_routes(tree)
    if not owners:
        return False, frozenset()
    bindings = import_bindings(tree, package)
    built_here = _app_and_router_names(tree, module, bindings)
    elsewhere: set[str] = set()
    for route, names in owners.items():
        if not awaited_side_effects(route, module, bindings, matcher):
            continue
        if names & built_here:
            return True, frozenset()
        for name in names:
            elsewhere |= _possible_names_of(name, "", module, bindings)
    return False, frozenset(elsewhere)


def async_routes(tree: ast.Module) -> dict[ast.AsyncFunctionDef, set[str]]:
    """The ``async def`` routes of the module (`routes.routes`), with the names X they are routed on."""
    return {function: owners for function, owners in routes.routes(tree).items()
            if isinstance(function, ast.AsyncFunctionDef)}


def awaited_side_effects(route: ast.AsyncFunctionDef, module: str, bindings: dict[str, set[str]],
                         matcher: CallMatcher) -> list[ast.Call]:
    """The matching calls ``route`` awaits itself or passes to ``asyncio.gather`` and the like."""
    found = []
    for node in own_nodes(route):
        awaited = node.value if isinstance(node, ast.Await) else None
        if isinstance(awaited, ast.Call) and _matches(awaited.func, module, bindings, matcher):
            found.append(awaited)
        if isinstance(node, ast.Call) and possible_names(node.func, module, bindings) & GATHER:
            arguments = [*node.args, *(k.value for k in node.keywords)]
            found.extend(
                inner
                for argument in arguments
                for inner in own_nodes(argument, include_self=True)
                if isinstance(inner, ast.Call) and _matches(inner.func, module, bindings, matcher)
            )
    return found


def _app_and_router_names(tree: ast.Module, module: str, bindings: dict[str, set[str]]) -> set[str]:
    """Names assigned, anywhere in the module, a call that may build an app or router."""
    names: set[str] = set()
    for node in nodes_of(tree, ast.Assign, ast.AnnAssign):
        value = node.value
        if not (isinstance(value, ast.Call) and possible_names(value.func, module, bindings) & (APP_CLASSES | ROUTER_CLASSES)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def own_nodes(node: ast.AST, include_self: bool = False) -> list[ast.AST]:
    """Nodes under ``node`` (a function: its body), not inside nested functions, classes or lambdas."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not include_self:
        stack: list[ast.AST] = list(node.body)
    else:
        stack = [node]
    found = []
    while stack:
        current = stack.pop()
        if isinstance(current, NESTED_SCOPES):
            continue
        found.append(current)
        stack.extend(ast.iter_child_nodes(current))
    return found


def possible_names(func: ast.expr, module: str, bindings: dict[str, set[str]]) -> set[str]:
    """Every name libcst may give ``a.b.c`` (imports, module-level or builtin), and its code."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return set()
    return _possible_names_of(func.id, "".join(f".{part}" for part in reversed(parts)), module, bindings)


def _possible_names_of(name: str, rest: str, module: str, bindings: dict[str, set[str]]) -> set[str]:
    """`_possible_names` of ``name`` followed by the attributes ``rest`` (``.b.c``)."""
    dotted = name + rest
    names = {dotted, f"{module}.{dotted}" if module else dotted, f"builtins.{dotted}"}
    names.update(qualified + rest for qualified in bindings.get(name, ()))
    return names


def _matches(func: ast.expr, module: str, bindings: dict[str, set[str]], matcher: CallMatcher) -> bool:
    names = possible_names(func, module, bindings)
    if not names:
        return False
    last = func.attr if isinstance(func, ast.Attribute) else func.id  # type: ignore[attr-defined]
    return matcher.match(last, names, sure=frozenset()) is not None
