"""Where a route's values come from, for ``background_tasks`` (libcst).

A background task runs after the response is sent, possibly after the request's
``yield`` dependencies have closed the database session. So a task must not carry
the session, anything built from it (a service holding it, an ORM instance loaded
through it) or the request/response objects. This module decides that by dataflow
inside one function: parameters (through their dependency) and local bindings,
never by names.

Rules (conservative, flow-insensitive: a name bound anywhere in the function from
a scoped value is scoped everywhere):

- a parameter is scoped when typed ``Request``/``Response``/``WebSocket``/
  ``HTTPConnection``, or when its ``Depends``/``Security`` target (also inside
  ``Annotated``, or through an ``Annotated`` alias) is request-scoped or unknown,
  unless the parameter is typed as a scalar (``str``, ``int``, ``UUID``...);
- an expression carries a scoped value when it uses a scoped name itself, calls a
  method on one (``db.get(...)``), subscripts one, or mentions one inside a lambda or
  generator (evaluated later). Reading an attribute (``user.email``) does not: it is
  evaluated now. On request objects only ``headers``, ``client``, ``url``,
  ``base_url``, ``cookies``, ``query_params``, ``path_params``, ``method`` and
  ``app`` count as plain reads, methods included (``request.headers.get(...)``;
  ``request.state`` may hold the session);
- a local bound from such an expression is scoped, so is a local into which one is
  stored (``items.append(user)``, ``d["k"] = user``, ``obj.x = user``) and a local
  handed to a scoped object's method (``db.add(report)`` attaches ``report``).
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

REQUEST_CLASSES = frozenset(
    {
        "fastapi.Request",
        "fastapi.requests.Request",
        "starlette.requests.Request",
        "fastapi.Response",
        "fastapi.responses.Response",
        "starlette.responses.Response",
        "fastapi.WebSocket",
        "fastapi.websockets.WebSocket",
        "starlette.websockets.WebSocket",
        "fastapi.requests.HTTPConnection",
        "starlette.requests.HTTPConnection",
    }
)
PLAIN_REQUEST_ATTRIBUTES = frozenset(
    {"headers", "client", "url", "base_url", "cookies", "query_params", "path_params", "method", "app"}
)


def attribute_root(node: cst.BaseExpression) -> cst.Name | None:
    """``a`` for ``a.b.c``; None when the chain does not start at a name."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def first_attribute(node: cst.Attribute) -> str:
    """``b`` for ``a.b.c``."""
    while isinstance(node.value, cst.Attribute):
        node = node.value
    return node.attr.value


class Scoped:
    """Scoped names of one function, each with why (for the finding)."""

    def __init__(self) -> None:
        self.why: dict[str, str] = {}
        self.origin: dict[str, str] = {}
        self.request_objects: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self.why

    def add(self, name: str, why: str, request_object: bool = False) -> bool:
        """Record a parameter's reason; returns False when ``name`` was already known."""
        if name in self.why:
            return False
        self.why[name] = why
        self.origin[name] = why
        if request_object:
            self.request_objects.add(name)
        return True

    def derive(self, name: str, source: str) -> bool:
        """``name`` is built from ``source``: keep the original reason for the finding."""
        if name in self.why:
            return False
        self.origin[name] = self.origin[source]
        self.why[name] = f"built from `{source}` ({self.origin[source]})"
        return True

    def carried(self, expression: cst.CSTNode) -> str | None:
        """The first scoped name ``expression`` would carry into a task, or None."""
        return _Carrier(self).find(expression)


class _Carrier:
    def __init__(self, scoped: Scoped) -> None:
        self.scoped = scoped

    def plain_request_read(self, receiver: cst.BaseExpression) -> bool:
        return plain_request_read(self.scoped, receiver)

    def find(self, node: cst.CSTNode, lazy: bool = False) -> str | None:
        if isinstance(node, cst.Name):
            return node.value if node.value in self.scoped else None
        if isinstance(node, (cst.Lambda, cst.GeneratorExp)):
            lazy = True
        if isinstance(node, cst.Attribute) and not lazy:
            root = attribute_root(node)
            if root is not None and root.value in self.scoped:
                if root.value in self.scoped.request_objects and first_attribute(node) not in PLAIN_REQUEST_ATTRIBUTES:
                    return root.value
                return None
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            root = attribute_root(node.func)
            if root is not None and root.value in self.scoped and not self.plain_request_read(node.func.value):
                return root.value
        if isinstance(node, cst.Subscript):
            root = attribute_root(node.value)
            if root is not None and root.value in self.scoped:
                return root.value
        for child in node.children:
            found = self.find(child, lazy)
            if found is not None:
                return found
        return None


def plain_request_read(scoped: Scoped, receiver: cst.BaseExpression) -> bool:
    """``request.headers`` in ``request.headers.get(...)``: a method of a plain part."""
    root = attribute_root(receiver)
    return (
        root is not None
        and root.value in scoped.request_objects
        and isinstance(receiver, cst.Attribute)
        and first_attribute(receiver) in PLAIN_REQUEST_ATTRIBUTES
    )


def bindings(body: cst.CSTNode) -> Iterator[tuple[list[cst.BaseExpression], cst.CSTNode, bool]]:
    """(targets, value, rebinds) for every binding in ``body``, nested functions excluded.

    ``rebinds`` is False for a mutation (``items.append(user)``: the receiver now
    holds the argument), which binds no new local name.
    """
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign):
            yield [t.target for t in node.targets], node.value, True
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and node.value is not None or isinstance(node, cst.NamedExpr):
            yield [node.target], node.value, True
        elif isinstance(node, (cst.For, cst.CompFor)):
            yield [node.target], node.iter, True
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            yield [node.asname.name], node.item, True
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            yield [node.func.value], cst.Tuple([cst.Element(arg.value) for arg in node.args]), False
            # ``db.add(report)``: the argument is now attached to the receiver.
            receiver = attribute_root(node.func.value)
            if receiver is not None:
                yield [arg.value for arg in node.args if isinstance(arg.value, cst.Name)], receiver, False
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not body:
            continue
        stack.extend(node.children)


def target_names(target: cst.CSTNode) -> Iterator[str]:
    """Names a binding target rebinds or mutates (``a``, ``a, b``, ``a.x``, ``a[k]``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)
    elif isinstance(target, (cst.Attribute, cst.Subscript)):
        root = attribute_root(target.value if isinstance(target, cst.Subscript) else target)
        if root is not None:
            yield root.value


def local_names(body: cst.CSTNode) -> set[str]:
    """Names ``body`` binds itself (not those it only mutates, like a module's attribute)."""
    return {
        name
        for targets, _value, rebinds in bindings(body)
        if rebinds
        for target in targets
        if not isinstance(target, (cst.Attribute, cst.Subscript))
        for name in target_names(target)
    }


def propagate(scoped: Scoped, body: cst.CSTNode, local: set[str]) -> None:
    """Grow ``scoped`` through the local bindings of ``body`` until nothing changes.

    Only names local to the function (parameters and its own bindings) grow: a
    module or global mutated with a scoped value is outside this function's flow.
    """
    pairs = list(bindings(body))
    changed = True
    while changed:
        changed = False
        for targets, value, _rebinds in pairs:
            source = scoped.carried(value)
            if source is None:
                continue
            for target in targets:
                for name in target_names(target):
                    if name in local:
                        changed |= scoped.derive(name, source)
