"""Practice 10: the same "load by id, or 404" block repeated in several routes.

In the application's modules (test code, test helpers and documentation snippets
aside), each HTTP route (`analysis.routes`, sync and async; WebSocket routes
aside) is searched, outside its nested functions and classes, for:

1. an assignment ``x = <lookup>`` (or ``x: T = <lookup>``), where the lookup is a
   call, awaited or not, possibly ending in ``.first()``, ``.scalar_one_or_none()``,
   ``.afirst()`` and the like, whose arguments use one of the route's own
   parameters (a path, query or body value, not a ``Depends``/``Security`` one):
   ``db.get(Item, item_id)``, ``await crud.get_item(db, item_id)``,
   ``db.query(Item).filter(Item.id == item_id).first()``, ``(await
   session.execute(select(Item).where(Item.id == item_id))).scalar_one_or_none()``,
   ``await Item.objects.filter(id=item_id).afirst()``, also when its result is
   validated (``Adapter.validate_python(await ...)``). Not a lookup: a write
   whose name starts with ``update``, ``delete``, ``create``, ``save``... (an
   ``update ... returning`` answering 404 needs no extra query first);
2. followed, as the next statement of the same block that uses ``x``, by ``if not
   x:`` / ``if x is None:`` / ``if x == None:`` (or one of those ``or`` something
   else), whose body raises an exception, or returns a response, with a 404
   status (``HTTPException(404)``, ``status_code=status.HTTP_404_NOT_FOUND``,
   ``HTTPStatus.NOT_FOUND``, ``Response(status_code=404)``) or named
   ``...NotFound...``. ``if not (x := <lookup>):`` counts the same.

Each occurrence is grouped by what it loads: the model class that is the
capitalised first argument of a ``get``/``select``/``query`` call, or the class a
``get``/``filter``/``find_one``... method is called on (``Item.get(item_id)``,
``Item.objects.filter(...)``); else the called function, resolved through the
imports (``crud.get_item`` of two modules is one function when both import the
same ``crud``). A method of a route parameter (``repository.get(item_id)``) is
grouped by the parameter's type (``repository: ItemRepository``, also inside
``Annotated``) or, untyped, by its dependency (``Depends(get_item_repository)``),
never by the parameter's name: two routes' ``repository`` may load different
models. A method of a local variable of unknown type is grouped by nothing. Verdict: a group found in 2 or more routes: FAIL, with each
occurrence's ``if`` line; a single occurrence is fine. Routes but no repeated
group: PASS. No route in the application: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi_codemods.analysis import routes
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.models import single_assignment
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.side_effects import own_nodes
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

# Methods that only fetch the row a query found: the lookup is what comes before them.
TERMINALS = frozenset({
    "first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none", "scalars", "unique",
    "first_or_none", "fetchone", "mappings", "afirst",
})
# Calls whose capitalised first argument is the model loaded (``db.get(Item, id)``).
MODEL_TAKERS = frozenset({"get", "select", "query", "get_or_none", "get_one"})
# Methods that load from the model class they are called on (``Item.objects.filter(...)``).
LOOKUP_METHODS = frozenset({
    "get", "aget", "get_or_none", "get_one", "find", "find_one", "filter", "filter_by", "where", "get_by_id",
    "find_by_id", "select",
})
MANAGERS = (".objects", ".query")
# A write that answers 404 when nothing matched (``update ... returning``) is no
# existence check a dependency could take over: it would cost one more query.
WRITES = ("update", "delete", "remove", "create", "insert", "upsert", "save", "set_", "add", "patch", "replace")
# Calls that only validate or convert what a lookup returned.
VALIDATIONS = frozenset({"validate_python", "model_validate", "parse_obj", "parse_obj_as", "cast"})
DEPENDENCY_FUNCTIONS = frozenset({"Depends", "Security"})
REPEATS = 2

Occurrence = tuple[str, str, str, int, int, str]  # (group key, name shown, route, line, column, excerpt)


def existence_checks(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                     ) -> tuple[int, tuple[Occurrence, ...]]:
    """(the module's HTTP routes, each "load or 404" block of its routes)."""
    http_routes = [route for route in routes.routes(tree) if not routes.is_websocket_route(route)]
    imports = ImportMap(tree, info.package)
    found = []
    for route in http_routes:
        values = _request_values(route)
        receivers = _parameter_types(route)
        for (key, shown), statement in _load_or_404(route, values, imports, info.module, receivers):
            found.append((key, shown, f"{route.name}@{route.lineno}", statement.lineno, statement.col_offset + 1,
                          excerpt_of(text, statement.lineno)))
    _ASSIGNED.clear()  # keeps no tree alive past its file
    return len(http_routes), tuple(found)


def _request_values(route: routes.Function) -> set[str]:
    """The parameters FastAPI fills from the request, not from a dependency."""
    return {
        arg.arg
        for arg, default in routes.parameters(route)
        if not any(_calls_dependency(node) for node in (default, arg.annotation))
    }


def _parameter_types(route: routes.Function) -> dict[str, str]:
    """Parameter name -> what its value is: its annotation's class (``Annotated``'s
    first element), else its dependency's name; "" when neither is known."""
    found: dict[str, str] = {}
    for arg, default in routes.parameters(route):
        annotation = arg.annotation
        if isinstance(annotation, ast.Subscript) and _last_name(annotation.value) == "Annotated":
            elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            annotation = elements[0] if elements else None
        shown = ast.unparse(annotation) if annotation is not None else ""
        if not shown and isinstance(default, ast.Call) and _last_name(default.func) in DEPENDENCY_FUNCTIONS:
            shown = "Depends(" + (ast.unparse(default.args[0]) if default.args else "") + ")"
        found[arg.arg] = shown
    return found


def _calls_dependency(node: ast.AST | None) -> bool:
    return node is not None and any(
        isinstance(call, ast.Call) and _last_name(call.func) in DEPENDENCY_FUNCTIONS for call in ast.walk(node)
    )


def _blocks(route: routes.Function) -> Iterator[list[ast.stmt]]:
    """Every statement list of the route, outside nested functions and classes."""
    for node in [route, *own_nodes(route)]:
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _load_or_404(route: routes.Function, values: set[str], imports: ImportMap, module: str,
                 receivers: Mapping[str, str]) -> Iterator[tuple[tuple[str, str], ast.If]]:
    """(what is loaded, the ``if`` raising 404) per occurrence in the route."""
    for block in _blocks(route):
        for position, statement in enumerate(block):
            if isinstance(statement, ast.If) and (loaded := _walrus_load(statement, values, imports, module,
                                                                          receivers, route)):
                yield loaded, statement
            name, value = single_assignment(statement)
            if name is None or value is None or not (loaded := _loaded(value, values, imports, module,
                                                                       receivers, route)):
                continue
            following = next((s for s in block[position + 1:] if _uses(s, name)), None)
            if isinstance(following, ast.If) and _tests_missing(following.test, name) and _answers_404(following):
                yield loaded, following


def _walrus_load(statement: ast.If, values: set[str], imports: ImportMap, module: str,
                 receivers: Mapping[str, str], route: routes.Function) -> tuple[str, str] | None:
    """What ``if not (x := <lookup>): raise ...404...`` loads, or None for any other ``if``."""
    walrus = _walrus_lookup(statement.test)
    if walrus is None or not _answers_404(statement):
        return None
    return _loaded(walrus.value, values, imports, module, receivers, route)


def _walrus_lookup(test: ast.expr) -> ast.NamedExpr | None:
    """The ``x := ...`` of ``not (x := ...)`` or ``(x := ...) is None``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    elif isinstance(test, ast.Compare) and _is_none_comparison(test):
        test = test.left
    return test if isinstance(test, ast.NamedExpr) else None


def _loaded(value: ast.expr, values: set[str], imports: ImportMap, module: str,
            receivers: Mapping[str, str], route: routes.Function) -> tuple[str, str] | None:
    """(group key, name shown) of what the lookup loads (see the module), or None
    when ``value`` is no lookup by a request value."""
    core = _peel(value)
    if not isinstance(core, ast.Call) or _last_name(core.func).startswith(WRITES):
        return None
    if not any(isinstance(node, ast.Name) and node.id in values for node in ast.walk(value)):
        return None
    for call in (node for node in ast.walk(value) if isinstance(node, ast.Call)):
        if _last_name(call.func) in MODEL_TAKERS and call.args and _is_class_name(call.args[0]):
            return _model(_last_name(call.args[0]))
    if isinstance(core.func, ast.Attribute) and core.func.attr in LOOKUP_METHODS:
        receiver = core.func.value
        while isinstance(receiver, (ast.Attribute, ast.Call)) and not _is_class_name(receiver):
            receiver = receiver.value if isinstance(receiver, ast.Attribute) else receiver.func
        if _is_class_name(receiver):
            return _model(_receiver_name(core.func.value) if _is_dotted(core.func.value) else _last_name(receiver))
    shown = ast.unparse(core.func)
    root = core.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(core.func, ast.Attribute) and isinstance(root, ast.Name) and (
            root.id in receivers or _assigned_in(route, root.id)):
        kind = receivers.get(root.id, "")
        if kind:  # a parameter whose type or dependency is known
            return f"receiver:{kind}.{core.func.attr}", f"{kind}.{core.func.attr}"
        # A local object, or a parameter of unknown type: what it loads is unknown.
        return f"local:{module}.{route.name}@{route.lineno}:{shown}", shown
    qualified = imports.qualified(core.func)
    if qualified is None and isinstance(core.func, ast.Name):
        qualified = f"{module}.{core.func.id}"
    return (qualified or shown), shown


def _assigned_in(route: routes.Function, name: str) -> bool:
    assigned = _ASSIGNED.get(id(route))
    if assigned is None or assigned[0] is not route:
        names = {node.id for node in own_nodes(route) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        assigned = _ASSIGNED[id(route)] = (route, names)
    return name in assigned[1]


# The names each route assigns, for the route being read (a few routes at a time).
_ASSIGNED: dict[int, tuple[routes.Function, set[str]]] = {}


def _model(shown: str) -> tuple[str, str]:
    return "model:" + shown, shown


def _receiver_name(node: ast.expr) -> str:
    """``Item``; ``ApiBG.jobs`` for a mapping on a class; Django's and Flask's
    ``Item.objects``/``Item.query`` managers are the model's."""
    shown = ast.unparse(node)
    for manager in MANAGERS:
        shown = shown.removesuffix(manager)
    return shown


def _is_dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _peel(value: ast.expr) -> ast.expr:
    """The lookup call under ``await``, the terminal methods (``.first()``...) and
    the validation of its result (``Adapter.validate_python(await ...)``)."""
    while True:
        if isinstance(value, ast.Await):
            value = value.value
        elif isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
            value = value.values[0]
        elif isinstance(value, ast.Call) and _last_name(value.func) in VALIDATIONS and value.args:
            value = value.args[0]
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
              and value.func.attr in TERMINALS and not value.args):
            value = value.func.value
        else:
            return value


def _is_class_name(node: ast.AST) -> bool:
    name = _last_name(node)
    return bool(name) and name[0].isupper() and not name.isupper()


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _uses(statement: ast.stmt, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(statement))


def _tests_missing(test: ast.expr, name: str) -> bool:
    """``not x``, ``x is None``, ``x == None``, or an ``or`` of which one is."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(_tests_missing(value, name) for value in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name) and test.operand.id == name
    return (isinstance(test, ast.Compare) and _is_none_comparison(test)
            and isinstance(test.left, ast.Name) and test.left.id == name)


def _is_none_comparison(test: ast.Compare) -> bool:
    return (len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq))
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None)


def _answers_404(statement: ast.If) -> bool:
    """The ``if`` body raises an exception, or returns a response, with a 404 status
    or a not-found name."""
    return any(
        (isinstance(node, ast.Raise) and node.exc is not None and _is_not_found(node.exc))
        or (isinstance(node, ast.Return) and isinstance(node.value, ast.Call) and _is_not_found(node.value))
        for node in statement.body
    )


def _is_not_found(exception: ast.expr) -> bool:
    called = exception.func if isinstance(exception, ast.Call) else exception
    if "NotFound" in _last_name(called):
        return True
    return isinstance(exception, ast.Call) and any(
        (isinstance(node, ast.Constant) and node.value == 404)
        or _last_name(node) in ("HTTP_404_NOT_FOUND", "NOT_FOUND")
        for argument in [*exception.args, *(keyword.value for keyword in exception.keywords)]
        for node in ast.walk(argument)
    )


EXISTENCE_CHECKS = FilePass("audit.existence_checks", ("@", "add_api_route"), existence_checks)
TRANSFORM = None
FILE_PASSES = (EXISTENCE_CHECKS,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for a "load or 404" block repeated in 2 or more routes; see the module."""
    groups: dict[str, list[tuple[str, Occurrence]]] = defaultdict(list)
    any_route = 0
    for _path, info, (has_route, found) in facts.application_results(EXISTENCE_CHECKS):
        any_route += has_route
        for occurrence in found:
            groups[occurrence[0]].append((info.path, occurrence))
    if not any_route:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no HTTP route found")
    evidence = []
    for places in groups.values():
        count = len({(path, route) for path, (_, _, route, *_rest) in places})
        if count < REPEATS:
            continue
        evidence.extend(
            Evidence(path, line, column, excerpt,
                     f"{count} routes load {shown} by id and answer 404 themselves: move the lookup into one "
                     "dependency (get_..._or_404) the routes share")
            for path, (_, shown, _route, line, column, excerpt) in places
        )
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    blocks = sum(len(places) for places in groups.values())
    return Outcome(Verdict.PASS, reason=f"{any_route} HTTP routes checked: {blocks} \"load or 404\" block(s), "
                                        "none repeated for one model")
