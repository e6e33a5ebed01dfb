"""What counts as a FastAPI app, router, route and background-tasks object.

Resolved through libcst's qualified names, never by matching text: an alias
(``from fastapi import FastAPI as F``, ``import fastapi as fa``) matches, a local
``FastAPI = ...`` does not.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    PositionProvider,
    QualifiedName,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)
from libcst.metadata.scope_provider import Assignment

from fastapi_codemods.analysis.fastapi_names import (
    APP_CLASSES,
    ROUTE_METHODS,
    ROUTER_CLASSES,
)
from fastapi_codemods.cst.parent_map import descendants


def qualified_names(transform: cst.MetadataDependent, node: cst.CSTNode) -> set[str]:
    """Qualified names of ``node`` (needs ``QualifiedNameProvider`` in the transform)."""
    names: set[QualifiedName] = transform.get_metadata(QualifiedNameProvider, node, set())
    return {name.name for name in names}


def resolves_to(transform: cst.MetadataDependent, node: cst.CSTNode, targets: frozenset[str]) -> bool:
    return bool(qualified_names(transform, node) & targets)


def is_app_construction(transform: cst.MetadataDependent, node: cst.CSTNode) -> bool:
    """``FastAPI(...)`` under any alias."""
    return isinstance(node, cst.Call) and resolves_to(transform, node.func, APP_CLASSES)


def app_construction_calls(
    transform: cst.MetadataDependent, module: cst.Module, skip_data: bool = False
) -> list[cst.Call]:
    """Every ``FastAPI(...)`` call of ``module``, in source order.

    With ``skip_data``, a call that is a list/tuple/set/dict element is left out:
    ``{"app": FastAPI()}`` in a fake ASGI scope is data, not an app that serves.
    ``module`` must be the tree the transform's metadata was computed on.
    """

    def is_data(node: cst.CSTNode) -> bool:
        return type(node) in (cst.Element, cst.DictElement) and is_app_construction(transform, node.value)

    calls = [
        node
        for node in descendants(module, is_data if skip_data else None)
        if type(node) is cst.Call and is_app_construction(transform, node)
    ]
    if len(calls) > 1:
        # Source order; a call and the call it is made on start together, the outer first.
        def where(call: cst.Call) -> tuple[int, int, int, int]:
            span = transform.get_metadata(PositionProvider, call)
            return span.start.line, span.start.column, -span.end.line, -span.end.column

        calls.sort(key=where)
    return calls


def app_and_router_targets(transform: cst.MetadataDependent, module: cst.Module) -> set[cst.CSTNode]:
    """The target names of ``X = FastAPI(...)`` / ``X = APIRouter(...)`` in ``module``.

    ``module`` must be the tree the transform's metadata was computed on (the node
    given to ``visit_Module``).
    """
    def builds_app_or_router(value: cst.BaseExpression | None) -> bool:
        return isinstance(value, cst.Call) and resolves_to(transform, value.func, APP_CLASSES | ROUTER_CLASSES)

    targets: set[cst.CSTNode] = set()
    for node in descendants(module):
        if type(node) is cst.Assign and builds_app_or_router(node.value):
            targets.update(t.target for t in node.targets if isinstance(t.target, cst.Name))
        elif type(node) is cst.AnnAssign and isinstance(node.target, cst.Name) and builds_app_or_router(node.value):
            targets.add(node.target)
    return targets


def bound_to(transform: cst.MetadataDependent, name: cst.Name, targets: set[cst.CSTNode]) -> bool:
    """True when every assignment ``name`` can refer to is one of ``targets``.

    Needs ``ScopeProvider``. Names imported from other modules are not resolved here
    (the caller may accept them through project facts).
    """
    scope = transform.get_metadata(ScopeProvider, name, None)
    if scope is None:
        return False
    referents = {referent for access in scope.accesses[name] if access.node is name for referent in access.referents}
    return bool(referents) and all(
        isinstance(referent, Assignment) and referent.node in targets for referent in referents
    )


def route_decorator_method(decorator: cst.Decorator) -> tuple[cst.Name, str, cst.Call] | None:
    """For ``@R.m(...)`` return (R, m, call) when m is a route method; else None.

    The decorator's shape only: a transform then requires R to be an app or router
    (`bound_to` `app_and_router_targets`, or one the project facts know), which
    leaves out what `analysis.routes` leaves out (an R bound to another framework's
    object, such as Slack Bolt's ``App``) and more."""
    call = decorator.decorator
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    owner, method = call.func.value, call.func.attr.value
    if method not in ROUTE_METHODS or not isinstance(owner, cst.Name):
        return None
    return owner, method, call


def absolute_names(transform: cst.MetadataDependent, node: cst.CSTNode, module: str, package: str) -> set[str]:
    """Qualified names of ``node`` made absolute: ``.schemas.A`` -> ``app.schemas.A``.

    Names defined at the module's top level (``QualifiedNameSource.LOCAL``) get the
    module's own dotted name in front; names local to a function are dropped.
    """
    result: set[str] = set()
    names: set[QualifiedName] = transform.get_metadata(QualifiedNameProvider, node, set())
    for name in names:
        text = name.name
        if name.source is QualifiedNameSource.LOCAL:
            if "<locals>" not in text:
                result.add(f"{module}.{text}" if module else text)
        elif text.startswith("."):
            level = len(text) - len(text.lstrip("."))
            parts = package.split(".") if package else []
            base = parts[: max(len(parts) - level + 1, 0)]
            rest = text.lstrip(".")
            result.add(".".join([*base, rest]) if base else rest)
        else:
            result.add(text)
    return result
