"""Adding a ``BackgroundTasks`` parameter to an endpoint's signature, black-style.

The parameter has no default, so it goes after the last positional parameter
without one (FastAPI injects by name, so the position never matters to callers that
go through the router), or at the end of the keyword-only ones when the signature
has ``*``/``*args``. Commas and line breaks follow the signature's own layout; a
one-line signature that grows past the line length is laid out as black would.
"""

from __future__ import annotations

import libcst as cst

LINE_LENGTH = 88


def _comma_after(parameter: cst.CSTNode) -> cst.Comma | None:
    comma = getattr(parameter, "comma", cst.MaybeSentinel.DEFAULT)
    return comma if isinstance(comma, cst.Comma) else None


def add_parameter(function: cst.FunctionDef, new: cst.Param, column: int) -> cst.FunctionDef:
    """``function`` with ``new`` inserted (``column``: where ``def`` starts)."""
    params = function.params
    multi_line = isinstance(function.whitespace_before_params, cst.ParenthesizedWhitespace)
    separator = (
        cst.Comma(whitespace_after=function.whitespace_before_params)
        if multi_line
        else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    )
    keyword_only = params.star_arg is not cst.MaybeSentinel.DEFAULT or any(
        p.default is not None for p in params.posonly_params
    )
    if keyword_only:
        field = "kwonly_params"
        if params.star_arg is cst.MaybeSentinel.DEFAULT:
            params = params.with_changes(star_arg=cst.ParamStar(comma=separator))
        index = len(params.kwonly_params)
    else:
        field = "params"
        index = next((i for i, p in enumerate(params.params) if p.default is not None), len(params.params))
    group = list(getattr(params, field))
    order = _flat(params)
    before = group[index - 1] if index else _previous(order, group[0] if group else None, params, field)
    has_following = index < len(group) or _has_after(params, field)

    if has_following:
        group.insert(index, new.with_changes(comma=separator))
        params = params.with_changes(**{field: group})
    elif before is None:
        params = params.with_changes(**{field: [new]})
    else:
        trailing = _comma_after(before)
        if trailing is not None:
            new = new.with_changes(comma=trailing)
            before_new = before.with_changes(comma=separator)
        else:
            new = new.with_changes(whitespace_after_param=getattr(before, "whitespace_after_param", cst.SimpleWhitespace("")))
            before_new = before.with_changes(comma=separator)
            if isinstance(before, cst.Param):
                before_new = before_new.with_changes(whitespace_after_param=cst.SimpleWhitespace(""))
        params = _replace(params, before, before_new)
        group = list(getattr(params, field))
        group.append(new)
        params = params.with_changes(**{field: group})
    result = function.with_changes(params=params)
    if not multi_line and _header_too_long(result, column):
        result = _black_header(result, column)
    return result


def _flat(params: cst.Parameters) -> list[cst.CSTNode]:
    order: list[cst.CSTNode] = [*params.posonly_params]
    if params.posonly_ind is not cst.MaybeSentinel.DEFAULT:
        order.append(params.posonly_ind)
    order.extend(params.params)
    if params.star_arg is not cst.MaybeSentinel.DEFAULT:
        order.append(params.star_arg)
    order.extend(params.kwonly_params)
    if params.star_kwarg is not None:
        order.append(params.star_kwarg)
    return order


def _previous(order: list[cst.CSTNode], first: cst.CSTNode | None, params: cst.Parameters, field: str) -> cst.CSTNode | None:
    """The element before an empty or index-0 insertion point."""
    if first is not None:
        position = next(i for i, node in enumerate(order) if node is first)
        return order[position - 1] if position else None
    if field == "params":
        anchor = params.posonly_ind if params.posonly_ind is not cst.MaybeSentinel.DEFAULT else None
        if anchor is None and params.posonly_params:
            anchor = params.posonly_params[-1]
        return anchor
    return params.star_arg if params.star_arg is not cst.MaybeSentinel.DEFAULT else None


def _has_after(params: cst.Parameters, field: str) -> bool:
    if field == "params":
        return (
            params.star_arg is not cst.MaybeSentinel.DEFAULT
            or bool(params.kwonly_params)
            or params.star_kwarg is not None
        )
    return params.star_kwarg is not None


def _replace(params: cst.Parameters, old: cst.CSTNode, new: cst.CSTNode) -> cst.Parameters:
    for field in ("posonly_params", "params", "kwonly_params"):
        group = list(getattr(params, field))
        for i, node in enumerate(group):
            if node is old:
                group[i] = new
                return params.with_changes(**{field: group})
    for field in ("posonly_ind", "star_arg", "star_kwarg"):
        if getattr(params, field) is old:
            return params.with_changes(**{field: new})
    return params


def _header(function: cst.FunctionDef) -> str:
    stub = function.with_changes(
        decorators=(),
        leading_lines=(),
        body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Expr(cst.Ellipsis())])]),
    )
    return cst.Module(body=[stub]).code


def _header_too_long(function: cst.FunctionDef, column: int) -> bool:
    first_line = _header(function).splitlines()[0]
    return column + len(first_line) > LINE_LENGTH


def _black_header(function: cst.FunctionDef, column: int) -> cst.FunctionDef:
    """Lay the signature out as black does (hug, else one parameter per line)."""
    import black

    mode = black.Mode(line_length=max(LINE_LENGTH - column, 20))
    try:
        formatted = black.format_str(_header(function), mode=mode)
        stub = cst.parse_module(formatted).body[0]
    except Exception:  # noqa: BLE001 - keep the unformatted but valid signature
        return function
    if not isinstance(stub, cst.FunctionDef):
        return function
    return function.with_changes(
        params=stub.params,
        whitespace_before_params=stub.whitespace_before_params,
        returns=stub.returns,
    )
