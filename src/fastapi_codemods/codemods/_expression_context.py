"""libcst's ``ExpressionContextProvider`` table, computed without its visitors.

libcst's scope analysis first marks every name, attribute, subscript, tuple, list
and starred element as loaded, stored or deleted. Its provider does that with a
fresh visitor object at every switch of context, and libcst's visitor machinery
(an ``isinstance`` against abstract classes at every node) makes that a third of
the scope analysis of a large module. The rules are few: the same walk over the
nodes' fields, with the rules written as a table, gives the same map several times
faster (``tests/test_expression_context.py`` compares the two on every fixture).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, MetadataWrapper

from fastapi_codemods.codemods._parent_map import field_names

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
        if rule is not None:
            rule(node, context, contexts, pending)
            continue
        if kind in _MARKED:
            contexts[node] = context
        _push_children(node, context, pending)
    return contexts


_MARKED = frozenset({cst.Tuple, cst.List, cst.StarredElement})


def _push_children(node: cst.CSTNode, context: ExpressionContext, pending: Pending) -> None:
    for name in field_names(type(node)):
        _push(getattr(node, name), context, pending)


def _push(value: object, context: ExpressionContext, pending: Pending) -> None:
    """Queue a child field's value: a node, a sequence of nodes, or nothing."""
    if isinstance(value, cst.CSTNode):
        pending.append((value, context))
    elif isinstance(value, (list, tuple)):
        pending.extend((item, context) for item in value if isinstance(item, cst.CSTNode))


def _assign(node: cst.Assign, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.targets, STORE, pending)
    _push(node.value, context, pending)


def _ann_assign(node: cst.AnnAssign, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.target, STORE, pending)
    _push(node.annotation, context, pending)
    _push(node.value, context, pending)


def _target_then_value(node: cst.AugAssign | cst.NamedExpr, context: ExpressionContext, contexts: dict,
                       pending: Pending) -> None:
    _push(node.target, STORE, pending)
    _push(node.value, context, pending)


def _as_name(node: cst.AsName, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.name, STORE, pending)


def _comp_for(node: cst.CompFor, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.target, STORE, pending)
    _push(node.iter, context, pending)
    _push(node.ifs, context, pending)
    _push(node.inner_for_in, context, pending)


def _for(node: cst.For, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.target, STORE, pending)
    _push(node.iter, context, pending)
    _push(node.body, context, pending)
    _push(node.orelse, context, pending)


def _del(node: cst.Del, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.target, DEL, pending)


def _attribute(node: cst.Attribute, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    contexts[node] = context
    _push(node.value, LOAD, pending)  # ``attr`` gets no context, as in ``ast``


def _subscript(node: cst.Subscript, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    contexts[node] = context
    _push(node.value, LOAD, pending)
    _push(node.slice, LOAD, pending)


def _class_def(node: cst.ClassDef, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.name, STORE, pending)
    for child in (node.body, node.bases, node.keywords, node.decorators):
        _push(child, context, pending)


def _function_def(node: cst.FunctionDef, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.name, STORE, pending)
    for child in (node.params, node.body, node.decorators, node.returns):
        _push(child, context, pending)


def _param(node: cst.Param, context: ExpressionContext, contexts: dict, pending: Pending) -> None:
    _push(node.name, STORE, pending)
    _push(node.annotation, context, pending)
    _push(node.default, context, pending)


_RULES: dict[type, Callable[..., None]] = {
    cst.Assign: _assign,
    cst.AnnAssign: _ann_assign,
    cst.AugAssign: _target_then_value,
    cst.NamedExpr: _target_then_value,
    cst.AsName: _as_name,
    cst.CompFor: _comp_for,
    cst.For: _for,
    cst.Del: _del,
    cst.Attribute: _attribute,
    cst.Subscript: _subscript,
    cst.ClassDef: _class_def,
    cst.FunctionDef: _function_def,
    cst.Param: _param,
}
