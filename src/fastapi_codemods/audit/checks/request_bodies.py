"""Practice 9: request bodies taken as plain dicts or read by hand instead of a model.

In the application's modules (test code, test helpers and documentation snippets
aside), each HTTP route (`analysis.routes`: ``@X.<method>(...)`` or
``X.add_api_route``, sync and async; WebSocket routes aside):

- a parameter annotated ``dict``, ``dict[...]``, ``typing.Dict[...]``,
  ``Mapping[...]`` (typing or collections.abc), a list of those (``list[dict]``),
  optionally inside ``Optional[...]``, ``... | None`` or ``Annotated[...]``, under
  any import alias, or through a module-level alias (``Payload = dict[str, Any]``):
  FastAPI takes such a parameter from the body and validates nothing inside it, so
  it is evidence; so is ``Any`` given ``Body(...)``. Not evidence: a parameter whose
  default or ``Annotated`` metadata is ``Depends(...)``/``Security(...)`` (a
  dependency's result) or ``Query``/``Path``/``Header``/``Cookie``/``Form``/``File``;
  a ``dict`` the module rebinds (its own class named ``Dict``);
- ``await request.json()``, or ``json.loads`` (``orjson``, ``ujson``) of ``await
  request.body()`` (directly or through a local name), where ``request`` is a
  parameter annotated ``Request`` (fastapi or starlette): evidence, whose message
  says to declare a model if the payload has a known shape. Not evidence: such a
  read in a webhook receiver, a route whose name or path says ``webhook`` or
  ``callback``, or that also reads the raw ``await request.body()`` and parses it
  again (it verifies a provider's signature over the raw bytes): the payload's
  shape is the provider's.

Verdict: any evidence: FAIL; routes but none: PASS; no route in the application:
NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import routes
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.side_effects import ANNOTATED, own_nodes
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

MAPPINGS = frozenset({
    "typing.Dict", "typing.Mapping", "typing.MutableMapping", "typing_extensions.Dict",
    "collections.abc.Mapping", "collections.abc.MutableMapping", "typing.OrderedDict", "collections.OrderedDict",
})
SEQUENCES = frozenset({"typing.List", "typing.Sequence", "collections.abc.Sequence"})
OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional", "typing.Union"})
ANY = frozenset({"typing.Any", "typing_extensions.Any"})
PARAM_FUNCTIONS = frozenset({"Query", "Path", "Header", "Cookie", "Form", "File", "Body", "Depends", "Security"})
REQUESTS = frozenset({"fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request"})
JSON_LOADS = frozenset({"json.loads", "orjson.loads", "ujson.loads"})

Found = tuple[int, int, str, str]


def request_bodies(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                   ) -> tuple[int, tuple[Found, ...]]:
    """(the module's HTTP routes, (line, column, excerpt, message) per
    body taken as a dict or read by hand)."""
    http_routes = [route for route in routes.routes(tree) if not routes.is_websocket_route(route)]
    if not http_routes:
        return 0, ()
    names = _Names(tree, info.package)
    found: list[Found] = []
    for route in http_routes:
        for node, message in [*_dict_parameters(route, names), *_hand_read_bodies(route, names)]:
            found.append((node.lineno, node.col_offset + 1, excerpt_of(text, node.lineno), message))
    return len(http_routes), tuple(sorted(found))


class _Names:
    """What the module's names mean: imports, and its module-level type aliases."""

    def __init__(self, tree: ast.Module, package: str) -> None:
        self.imports = ImportMap(tree, package)
        self.bound: set[str] = set()
        self.aliases: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                self.bound.add(node.name)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.bound.add(node.targets[0].id)
                self.aliases[node.targets[0].id] = node.value

    def qualified(self, node: ast.AST) -> str | None:
        """The imported name, ``builtins.<name>`` for a builtin the module does not rebind."""
        if isinstance(node, ast.Name) and node.id not in self.imports.names and node.id not in self.bound:
            return f"builtins.{node.id}"
        return self.imports.qualified(node)

    def param_function(self, node: ast.AST | None) -> str | None:
        """``Depends``, ``Body``, ``Query``... for a call of one of FastAPI's parameter functions."""
        if not isinstance(node, ast.Call):
            return None
        name = self.qualified(node.func) or ""
        last = name.rpartition(".")[2]
        return last if name.startswith("fastapi.") and last in PARAM_FUNCTIONS else None


def _dict_parameters(route: routes.Function, names: _Names) -> list[tuple[ast.AST, str]]:
    found = []
    for arg, default in routes.parameters(route):
        annotation, markers = _unwrap_annotated(arg.annotation, names)
        markers.append(names.param_function(default))
        if {"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File"} & set(markers):
            continue
        kind = _unvalidated(annotation, names, "Body" in markers)
        if kind:
            found.append((arg, f"{route.name}() takes its body `{arg.arg}` as {kind}: FastAPI validates and "
                               "documents nothing inside it; if it has a known shape, declare a Pydantic model"))
    return found


def _unwrap_annotated(annotation: ast.expr | None, names: _Names) -> tuple[ast.expr | None, list[str | None]]:
    """(the type inside ``Annotated[T, ...]``, the parameter functions among its metadata);
    a module-level alias (``CurrentUser = Annotated[dict, Depends(...)]``) is followed."""
    if isinstance(annotation, ast.Name) and isinstance(names.aliases.get(annotation.id), ast.Subscript):
        annotation = names.aliases[annotation.id]
    if isinstance(annotation, ast.Subscript) and names.qualified(annotation.value) in ANNOTATED:
        elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return (elements[0] if elements else None), [names.param_function(element) for element in elements[1:]]
    return annotation, []


def _unvalidated(annotation: ast.expr | None, names: _Names, body: bool, depth: int = 0) -> str | None:
    """How to name an annotation FastAPI cannot validate inside (``a dict``...), or None."""
    if annotation is None or depth > 10:
        return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _unvalidated(annotation.left, names, body, depth + 1) or _unvalidated(annotation.right, names, body, depth + 1)
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    name = names.qualified(target)
    if name in MAPPINGS or name == "builtins.dict":
        return "a dict"
    if name in ANY and body:
        return "Any"
    if isinstance(annotation, ast.Subscript) and (name in OPTIONAL or name in SEQUENCES or name == "builtins.list"):
        elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        inner = next(filter(None, (_unvalidated(e, names, body, depth + 1) for e in elements)), None)
        return None if inner is None else (inner if name in OPTIONAL else f"a list of {inner.removeprefix('a ')}s")
    if isinstance(target, ast.Name) and target.id in names.aliases and target is annotation:
        return _unvalidated(names.aliases[target.id], names, body, depth + 1)
    return None


def _hand_read_bodies(route: routes.Function, names: _Names) -> list[tuple[ast.AST, str]]:
    requests = {arg.arg for arg, _ in routes.parameters(route) if _is_request(arg.annotation, names)}
    if not requests:
        return []
    nodes = own_nodes(route)
    if _receives_webhooks(route, nodes, requests):
        return []
    bodies = _body_names(nodes, requests)
    found: list[tuple[ast.AST, str]] = []
    for node in nodes:
        if isinstance(node, ast.Await) and _reads(node.value, requests, "json"):
            found.append((node, f"{route.name}() reads its body with `await {ast.unparse(node.value)}`: if the "
                                "payload has a known shape, take a Pydantic model parameter instead"))
        elif isinstance(node, ast.Call) and names.qualified(node.func) in JSON_LOADS and node.args:
            argument = node.args[0]
            if _awaits_body(argument, requests) or (isinstance(argument, ast.Name) and argument.id in bodies):
                found.append((node, f"{route.name}() parses its raw body with `{ast.unparse(node.func)}`: if the "
                                    "payload has a known shape, take a Pydantic model parameter instead"))
    return found


WEBHOOK_WORDS = ("webhook", "callback")


def _receives_webhooks(route: routes.Function, nodes: list[ast.AST], requests: set[str]) -> bool:
    """The route receives a provider's webhook: named or routed so, or it reads the
    raw body (to check a signature) besides parsing it."""
    paths = [decorator.args[0].value for decorator in route.decorator_list
             if isinstance(decorator, ast.Call) and decorator.args and isinstance(decorator.args[0], ast.Constant)
             and isinstance(decorator.args[0].value, str)]
    if any(word in text.lower() for text in [route.name, *paths] for word in WEBHOOK_WORDS):
        return True
    raw = any(isinstance(node, ast.Await) and _reads(node.value, requests, "body") for node in nodes)
    parsed = any(isinstance(node, ast.Await) and _reads(node.value, requests, "json") for node in nodes)
    return raw and parsed


def _is_request(annotation: ast.expr | None, names: _Names) -> bool:
    annotation, _ = _unwrap_annotated(annotation, names)
    return annotation is not None and names.qualified(annotation) in REQUESTS


def _reads(node: ast.AST, requests: set[str], method: str) -> bool:
    """``request.<method>()`` on one of the route's Request parameters."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in requests
    )


def _awaits_body(node: ast.AST, requests: set[str]) -> bool:
    return isinstance(node, ast.Await) and _reads(node.value, requests, "body")


def _body_names(nodes: list[ast.AST], requests: set[str]) -> set[str]:
    """Local names assigned ``await request.body()``."""
    return {
        target.id
        for node in nodes
        if isinstance(node, ast.Assign) and _awaits_body(node.value, requests)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


REQUEST_BODIES = FilePass("audit.request_bodies", ("@", "add_api_route"), request_bodies)
TRANSFORM = None
FILE_PASSES = (REQUEST_BODIES,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each body taken as a dict or read by hand; see the module."""
    evidence: list[Evidence] = []
    any_route = 0
    for _path, info, (has_route, found) in facts.application_results(REQUEST_BODIES):
        any_route += has_route
        evidence.extend(Evidence(info.path, line, column, excerpt, message) for line, column, excerpt, message in found)
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    if not any_route:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no HTTP route found")
    return Outcome(Verdict.PASS, reason=f"{any_route} HTTP routes checked: no body taken as a dict or read by hand "
                                        "(await request.json())")
