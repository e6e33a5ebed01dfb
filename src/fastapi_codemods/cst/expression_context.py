"""libcst's ``ExpressionContextProvider`` table, computed without its visitors.

libcst's scope analysis first marks every name, attribute, subscript, tuple, list
and starred element as loaded, stored or deleted. Its provider does that with a
fresh visitor object at every switch of context, and libcst's visitor machinery
(an ``isinstance`` against abstract classes at every node) makes that a third of
the scope analysis of a large module. The rules are few: the same walk over the
nodes' fields, with the rules written as a table, gives the same map several times
faster (``tests/test_positions.py`` compares the two on every fixture).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, MetadataWrapper

from fastapi_codemods.cst.parent_map import field_names

LOAD, STORE, DEL = ExpressionContext.LOAD, ExpressionContext.STORE, ExpressionContext.DEL

# (node, context) pairs still to walk.
Pending = list[tuple[cst.CSTNode, ExpressionContext]]


def prime_expression_contexts(wrapper: MetadataWrapper) -> None:
    """Give ``wrapper`` the table before libcst's scope analysis asks for it: its
    resolver computes only the providers its table does not hold yet."""
    if ExpressionContextProvider not in wrapper._metadata:
        wrapper._metadata[ExpressionContextProvider] = expression_contexts(wrapper.module)


def expression_contexts(module: cst.Module) -> dict[cst.CSTNode, ExpressionContext]:
    """Node -> its expression context, for the nodes libcst's provider marks."""
    contexts: dict[cst.CSTNode, ExpressionContext] = {}
    pending: Pending = [(module, LOAD)]
    while pending:
        node, context = pending.pop()
        kind = type(node)
        if kind is cst.Name:
            contexts[node] = context
            continue
        rule = _RULES.get(kind)
        if rule is None:
            if kind in _MARKED:
                contexts[node] = context
            for name in field_names(kind):
                _push(getattr(node, name), context, pending)
            continue
        marks_itself, children = rule
        if marks_itself:
            contexts[node] = context
        for name, child_context in children:
            _push(getattr(node, name), child_context or context, pending)
    return contexts


def _push(value: object, context: ExpressionContext, pending: Pending) -> None:
    """Queue a child field's value: a node, a sequence of nodes, or nothing."""
    if isinstance(value, cst.CSTNode):
        pending.append((value, context))
    elif isinstance(value, (list, tuple)):
        pending.extend((item, context) for item in value if isinstance(item, cst.CSTNode))


# Nodes marked with the context they are reached in; their children inherit it.
_MARKED = frozenset({cst.Tuple, cst.List, cst.StarredElement})

# The node types libcst's visitor handles itself: whether the node gets the current
# context, and which fields it walks with which context (None: the current one).
# Fields not listed are not walked: ``Attribute.attr`` gets no context, as in
# ``ast``, and neither do type parameters.
_RULES: dict[type, tuple[bool, tuple[tuple[str, ExpressionContext | None], ...]]] = {
    cst.Assign: (False, (("targets", STORE), ("value", None))),
    cst.AnnAssign: (False, (("target", STORE), ("annotation", None), ("value", None))),
    cst.AugAssign: (False, (("target", STORE), ("value", None))),
    cst.NamedExpr: (False, (("target", STORE), ("value", None))),
    cst.AsName: (False, (("name", STORE),)),
    cst.CompFor: (False, (("target", STORE), ("iter", None), ("ifs", None), ("inner_for_in", None))),
    cst.For: (False, (("target", STORE), ("iter", None), ("body", None), ("orelse", None))),
    cst.Del: (False, (("target", DEL),)),
    cst.Attribute: (True, (("value", LOAD),)),
    cst.Subscript: (True, (("value", LOAD), ("slice", LOAD))),
    cst.ClassDef: (False, (("name", STORE), ("body", None), ("bases", None), ("keywords", None), ("decorators", None))),
    cst.FunctionDef: (
        False,
        (("name", STORE), ("params", None), ("body", None), ("decorators", None), ("returns", None)),
    ),
    cst.Param: (False, (("name", STORE), ("annotation", None), ("default", None))),
}
