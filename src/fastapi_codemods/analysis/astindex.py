"""Walking stdlib ``ast`` trees once per module, however many analyses ask.

Every transform's project analysis looks for its own nodes (imports, calls,
decorated functions) in the same modules. ``ast.walk`` is a pure-Python generator
and was the main cost of the project pass on large trees (prefect: about five
full walks of every module). Here a module is walked once, into a list, kept on
the module itself so it lives and dies with the tree; lists of nodes of given types
are derived from it once each. The order is ``ast.walk``'s (breadth first), so code
that stops at the first match finds the same node.
"""

from __future__ import annotations

import ast
from typing import TypeVar

N = TypeVar("N", bound=ast.AST)

_NODES = "_fastapi_codemods_nodes"
_BY_TYPES = "_fastapi_codemods_by_types"
_POSITIONS = "_fastapi_codemods_positions"


def walk(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))`` without expression contexts, computed once for a
    module and reused after."""
    if not isinstance(node, ast.Module):
        return _breadth_first(node)
    return [node, *_descendants(node)]


def nodes_of(node: ast.AST, *types: type[N]) -> list[N]:
    """The nodes of ``walk(node)`` that are instances of ``types``, in walk order."""
    if not isinstance(node, ast.Module):
        return [sub for sub in _breadth_first(node) if isinstance(sub, types)]  # type: ignore[misc]
    cache: dict[tuple[type, ...], list] | None = node.__dict__.get(_BY_TYPES)
    if cache is None:
        cache = {}
        setattr(node, _BY_TYPES, cache)
    found = cache.get(types)
    if found is None:
        found = cache[types] = _select(node, types)
    return [node, *found] if isinstance(node, types) else found


def _select(module: ast.Module, types: tuple[type, ...]) -> list[ast.AST]:
    """The module's descendants that are instances of ``types``, in walk order, read
    from its per-class positions instead of testing every node."""
    nodes = _descendants(module)
    positions = _positions_by_class(module)
    chosen = [positions[cls] for cls in positions if issubclass(cls, types)]
    if not chosen:
        return []
    if len(chosen) == 1:
        return [nodes[i] for i in chosen[0]]
    return [nodes[i] for i in sorted(i for bucket in chosen for i in bucket)]


def _positions_by_class(module: ast.Module) -> dict[type, list[int]]:
    """Where each node class occurs in the module's walk order, computed once. A
    module is asked for about five sets of node types; testing every node for each
    set cost about a tenth of the project analysis' instructions on prefect."""
    positions: dict[type, list[int]] | None = module.__dict__.get(_POSITIONS)
    if positions is None:
        positions = {}
        get = positions.get
        for index, node in enumerate(_descendants(module)):
            bucket = get(node.__class__)
            if bucket is None:
                bucket = positions[node.__class__] = []
            bucket.append(index)
        setattr(module, _POSITIONS, positions)
    return positions


def _descendants(module: ast.Module) -> list[ast.AST]:
    """The module's nodes without the module itself: a cached list holding the
    module would be a reference cycle, and every released tree would wait for the
    cyclic collector instead of being freed at once."""
    nodes = module.__dict__.get(_NODES)
    if nodes is None:
        nodes = _breadth_first(module)[1:]
        setattr(module, _NODES, nodes)
    return nodes


def _breadth_first(root: ast.AST) -> list[ast.AST]:
    """The nodes in ``ast.walk`` order, without its per-node generator overhead,
    and without expression contexts (``Load``, ``Store``, ``Del``): no analysis
    looks at them, and they are a fifth of all nodes."""
    nodes = [root]
    append = nodes.append
    AST = ast.AST
    fields = _CHILD_FIELDS
    for node in nodes:  # the list grows while it is read: breadth first
        names = fields.get(node.__class__)
        if names is None:
            names = fields[node.__class__] = tuple(name for name in node._fields if name != "ctx")
        for name in names:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, AST):
                        append(item)
            elif isinstance(value, AST):
                append(value)
    return nodes


# Fields that may hold nodes, per node class. The commonest leaves hold only names
# and constants; every other class gets its ``_fields`` without ``ctx`` on first use.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    ast.Name: (),
    ast.Constant: (),
    ast.alias: (),
    ast.Attribute: ("value",),
    ast.keyword: ("value",),
    ast.arg: ("annotation",),
}
