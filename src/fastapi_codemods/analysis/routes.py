"""The route functions of one module, sync and async, found in the stdlib ``ast``.

A route is a function decorated ``@X.<method>(...)`` (``get``, ``post``, ...,
``websocket``) or passed to ``X.add_api_route(...)`` (or a websocket kin) anywhere
in the module, where ``X`` may be a FastAPI app or router: whatever it is called,
unless the module binds ``X`` only to an object of another framework
(`fastapi_names.OTHER_FRAMEWORKS`: ``app = slack_bolt.App(...)``, ``bp =
flask.Blueprint(...)``), whose ``@app.options``/``@bp.get`` handlers are no routes.
An ``X`` imported from another module or taken as a parameter may be an app or
router: it counts (the over-approximation the transforms' candidate lists need).
The libcst twin (`cst.fastapi`) is stricter: the transforms act only on an ``X``
bound to ``FastAPI(...)``/``APIRouter(...)`` or known to be one across the project,
a subset of these. Practices 1, 4, 5, 9 and 10 and the background_tasks transform
all start from this list.
"""

from __future__ import annotations

import ast

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES, ROUTE_METHODS, ROUTER_CLASSES, is_other_framework

WEBSOCKET_METHODS = frozenset({"websocket", "websocket_route"})
ROUTE_REGISTRATIONS = frozenset({"add_api_route", "add_api_websocket_route", "add_websocket_route"})

Function = ast.FunctionDef | ast.AsyncFunctionDef


def routes(tree: ast.Module) -> dict[Function, set[str]]:
    """Each route function of the module, with the names X it is routed on."""
    functions: dict[str, list[Function]] = {}
    owners: dict[Function, set[str]] = {}
    registered: list[tuple[str, str]] = []
    for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.Call):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(node.name, []).append(node)
            for decorator in node.decorator_list:
                if is_route_decorator(decorator):
                    owners.setdefault(node, set()).add(decorator.func.value.id)  # type: ignore[attr-defined]
        else:
            owner, names = route_registration(node)
            registered.extend((name, owner) for name in names)
    for name, owner in registered:
        for function in functions.get(name, []):
            owners.setdefault(function, set()).add(owner)
    if owners:
        foreign = foreign_owners(tree, {name for names in owners.values() for name in names})
        if foreign:
            owners = {function: names - foreign for function, names in owners.items() if names - foreign}
    return owners


def foreign_owners(tree: ast.Module, names: set[str]) -> set[str]:
    """Those of ``names`` the module binds only to calls of another framework
    (``app = App(token=...)`` with ``from slack_bolt import App``)."""
    bindings: dict[str, list[ast.expr]] = {}
    for node in nodes_of(tree, ast.Assign, ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in names and node.value is not None:
                bindings.setdefault(target.id, []).append(node.value)
    # ``router = APIRouter(...)``, the usual binding, needs no import resolved.
    bindings = {name: values for name, values in bindings.items()
                if not any(isinstance(value, ast.Call) and _last_name(value.func) in FASTAPI_NAMES
                           for value in values)}
    if not bindings:
        return set()
    imports = ImportMap(tree, "", nested=True)
    foreign = set()
    for name, values in bindings.items():
        called = [imports.qualified(value.func) if isinstance(value, ast.Call) else None for value in values]
        if all(is_other_framework(qualified) and qualified not in APP_CLASSES | ROUTER_CLASSES
               for qualified in called):
            foreign.add(name)
    return foreign


FASTAPI_NAMES = frozenset(name.rpartition(".")[2] for name in APP_CLASSES | ROUTER_CLASSES)


def _last_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def parameters(route: Function) -> list[tuple[ast.arg, ast.expr | None]]:
    """Each parameter of the route with its default (None when it has none), ``*args``
    and ``**kwargs`` aside: what FastAPI reads a request into."""
    args = route.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]


def is_websocket_route(route: Function) -> bool:
    """Decorated ``@X.websocket(...)`` or taking a parameter annotated ``WebSocket``."""
    decorators = {d.func.attr for d in route.decorator_list
                  if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)}
    if decorators & WEBSOCKET_METHODS:
        return True
    arguments = [*route.args.posonlyargs, *route.args.args, *route.args.kwonlyargs]
    return any(
        isinstance(arg.annotation, (ast.Name, ast.Attribute))
        and (arg.annotation.id if isinstance(arg.annotation, ast.Name) else arg.annotation.attr) == "WebSocket"
        for arg in arguments
    )


def is_route_decorator(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.attr in ROUTE_METHODS | WEBSOCKET_METHODS
    )


def route_registration(call: ast.Call) -> tuple[str, set[str]]:
    """(X, names) for ``X.add_api_route(path, endpoint)`` (or a websocket kin): the
    names it may register. Every name passed counts: the transform takes the
    ``endpoint`` keyword or the second positional argument, and which one that is
    can hang on a ``*`` or ``**``."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in ROUTE_REGISTRATIONS):
        return "", set()
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
    return func.value.id, {value.id for value in values if isinstance(value, ast.Name)}
