"""Setting keyword arguments of a call, or entries of a dict literal, black-style.

Shared by conditional_docs (docs keywords) and production_server (``workers=``).
Transforms that add ``key=value`` to a call must keep the call's comments (a
comment line stays where it was) and produce what black
would: one argument per line with a trailing comma once the line would pass 88
columns, and a long value wrapped in parentheses (split at ``if``/``else`` when it
still does not fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider

LINE_LENGTH = 88
INDENT = "    "
_EMPTY = cst.Module(body=[])


def code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


@dataclass(frozen=True)
class Where:
    """Where the call sits in its file, in columns (needed to measure lines).

    ``line_start``: the text before the call on its first line; ``line_rest``: the
    text after the call's end on its last line; ``block_indent``: the indentation of
    the enclosing statement (libcst writes it before every continuation line).
    ``first_element_column``: the column of the first argument when it starts a line.
    """

    line_start: str
    line_rest: str
    block_indent: int
    first_element_column: int | None


def where_of(transform: cst.MetadataDependent, lines: Sequence[str], node: cst.CSTNode,
             first: cst.CSTNode | None) -> Where:
    """Where ``node`` (a call or dict whose first element is ``first``) sits in the
    module whose source ``lines`` the transform read."""
    position = transform.get_metadata(PositionProvider, node)
    start, end = position.start, position.end
    statement = node
    while not isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        parent = transform.get_metadata(ParentNodeProvider, statement, None)
        if parent is None:
            break
        statement = parent
    block = transform.get_metadata(PositionProvider, statement).start.column if statement is not node else 0
    column = None
    if first is not None:
        first_position = transform.get_metadata(PositionProvider, first).start
        if first_position.line != start.line:
            column = first_position.column
    return Where(
        line_start=lines[start.line - 1][: start.column],
        line_rest=lines[end.line - 1][end.column :],
        block_indent=block,
        first_element_column=column,
    )


def _separator(last_line: str, first_line: cst.TrailingWhitespace | None = None) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=first_line or cst.TrailingWhitespace(),
        empty_lines=(),
        indent=True,
        last_line=cst.SimpleWhitespace(last_line),
    )


def wrap_long(value: cst.BaseExpression, column: int, prefix: str, relative: str) -> cst.BaseExpression:
    """Parenthesize a conditional value that makes its line longer than black allows.

    The element starts at ``column`` with ``prefix`` (``key=``) and ends with a comma.
    Inside the parentheses, one line if it fits, else split before ``if`` and ``else``.
    """
    text = code(value)
    if not isinstance(value, cst.IfExp) or "\n" in text or column + len(prefix) + len(text) + 1 <= LINE_LENGTH:
        return value
    inner = relative + INDENT
    wrapped = value.with_changes(
        lpar=[cst.LeftParen(whitespace_after=_separator(inner))],
        rpar=[cst.RightParen(whitespace_before=_separator(relative))],
    )
    if column + len(INDENT) + len(text) > LINE_LENGTH:
        wrapped = wrapped.with_changes(
            whitespace_before_if=_separator(inner),
            whitespace_before_else=_separator(inner),
        )
    return wrapped


@dataclass(frozen=True)
class Kind:
    """How to read and rebuild one kind of bracketed list (call args, dict entries)."""

    make: Callable[[str, cst.BaseExpression], cst.CSTNode]
    key_prefix: Callable[[str], str]
    value_of: Callable[[cst.CSTNode], cst.BaseExpression]
    with_value: Callable[[cst.CSTNode, cst.BaseExpression], cst.CSTNode]
    trailing_field: str


CALL_ARGS = Kind(
    make=lambda key, value: cst.Arg(
        keyword=cst.Name(key),
        value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    ),
    key_prefix=lambda key: f"{key}=",
    value_of=lambda node: node.value,  # type: ignore[attr-defined]
    with_value=lambda node, value: node.with_changes(value=value),
    trailing_field="whitespace_after_arg",
)

DICT_ENTRIES = Kind(
    make=lambda key, value: cst.DictElement(key=cst.SimpleString(f'"{key}"'), value=value),
    key_prefix=lambda key: f'"{key}": ',
    value_of=lambda node: node.value,  # type: ignore[attr-defined]
    with_value=lambda node, value: node.with_changes(value=value),
    trailing_field="",
)


def rebuild(
    elements: Sequence[cst.CSTNode],
    opening: cst.BaseParenthesizableWhitespace,
    closing: cst.BaseParenthesizableWhitespace | None,
    changed: dict[int, cst.BaseExpression],
    added: list[tuple[str, cst.BaseExpression]],
    kind: Kind,
    where: Where,
    render: Callable[[list[cst.CSTNode], cst.BaseParenthesizableWhitespace, cst.BaseParenthesizableWhitespace | None], cst.CSTNode],
) -> cst.CSTNode:
    """Elements with new values at ``changed`` indexes and ``added`` keys appended.

    ``render(elements, opening, closing)`` builds the call or dict from the parts
    (``closing`` is the whitespace before the closing bracket, for dicts only).
    """
    items = [kind.with_value(e, changed[i]) if i in changed else e for i, e in enumerate(elements)]
    multiline = isinstance(opening, cst.ParenthesizedWhitespace) or any(
        isinstance(_trailing(e, kind), cst.ParenthesizedWhitespace) for e in elements
    ) or isinstance(closing, cst.ParenthesizedWhitespace)
    if not multiline:
        flat = list(items)
        for key, value in added:
            flat.append(kind.make(key, value))
        flat = [
            e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if i < len(flat) - 1
            else e.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            for i, e in enumerate(flat)
        ]
        candidate = render(flat, opening, closing)
        if len(where.line_start) + len(code(candidate)) + len(where.line_rest) <= LINE_LENGTH:
            return candidate
        relative = " " * (len(where.line_start) - len(where.line_start.lstrip()) - where.block_indent) + INDENT
        absolute = len(where.line_start) - len(where.line_start.lstrip()) + len(INDENT)
        exploded = [_strip(e, kind) for e in flat]
        return _explode(exploded, relative, absolute, kind, render)

    relative = _relative_indent(opening, elements, kind)
    absolute = where.first_element_column if where.first_element_column is not None else where.block_indent + len(relative)
    if not items:
        return _explode([kind.make(k, v) for k, v in added], relative, absolute, kind, render)
    last = items[-1]
    if not kind.trailing_field:
        tail = closing
    elif isinstance(last.comma, cst.Comma):
        tail = last.comma.whitespace_after
    else:
        tail = getattr(last, kind.trailing_field)
    new = [_fit(kind.make(k, v), kind, k, absolute, relative) for k, v in added]
    items = [_fit_existing(e, i in changed, kind, absolute, relative) for i, e in enumerate(items)]
    if not new:
        return render(items, opening, closing)
    last = items[-1]
    first_line = tail.first_line if isinstance(tail, cst.ParenthesizedWhitespace) else None
    head = items[:-1] + [_strip(last, kind).with_changes(comma=cst.Comma(whitespace_after=_separator(relative, first_line)))]
    end = (
        tail.with_changes(first_line=cst.TrailingWhitespace())
        if isinstance(tail, cst.ParenthesizedWhitespace)
        else _separator(relative[: -len(INDENT)] if relative.endswith(INDENT) else "")
    )
    body = [e.with_changes(comma=cst.Comma(whitespace_after=_separator(relative))) for e in new[:-1]]
    if kind.trailing_field:
        body.append(new[-1].with_changes(comma=cst.Comma(whitespace_after=end)))
        return render(head + body, opening, closing)
    body.append(new[-1].with_changes(comma=cst.Comma()))
    return render(head + body, opening, end)


def _trailing(element: cst.CSTNode, kind: Kind) -> cst.BaseParenthesizableWhitespace | None:
    if kind.trailing_field:
        comma = element.comma  # type: ignore[attr-defined]
        if isinstance(comma, cst.Comma):
            return comma.whitespace_after
        return getattr(element, kind.trailing_field)
    comma = element.comma  # type: ignore[attr-defined]
    return comma.whitespace_after if isinstance(comma, cst.Comma) else None


def _strip(element: cst.CSTNode, kind: Kind) -> cst.CSTNode:
    if kind.trailing_field:
        return element.with_changes(**{kind.trailing_field: cst.SimpleWhitespace("")})
    return element


def _relative_indent(opening: cst.BaseParenthesizableWhitespace, elements: Sequence[cst.CSTNode], kind: Kind) -> str:
    candidates = [opening] + [_trailing(e, kind) for e in elements[:-1]]
    for space in candidates:
        if isinstance(space, cst.ParenthesizedWhitespace):
            return space.last_line.value
    return INDENT


def _fit(element: cst.CSTNode, kind: Kind, key: str, absolute: int, relative: str) -> cst.CSTNode:
    return kind.with_value(element, wrap_long(kind.value_of(element), absolute, kind.key_prefix(key), relative))


def _fit_existing(element: cst.CSTNode, was_changed: bool, kind: Kind, absolute: int, relative: str) -> cst.CSTNode:
    if not was_changed:
        return element
    if isinstance(element, cst.Arg) and element.keyword is not None:
        key = element.keyword.value
    elif isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        key = element.key.evaluated_value  # type: ignore[assignment]
    else:
        return element
    return _fit(element, kind, str(key), absolute, relative)


def _explode(
    elements: list[cst.CSTNode],
    relative: str,
    absolute: int,
    kind: Kind,
    render: Callable[..., cst.CSTNode],
) -> cst.CSTNode:
    """One element per line, trailing comma, the closing bracket on its own line."""
    closing_relative = relative[: -len(INDENT)] if relative.endswith(INDENT) else ""
    fitted = []
    for element in elements:
        if isinstance(element, cst.Arg) and element.keyword is not None:
            fitted.append(_fit(element, kind, element.keyword.value, absolute, relative))
        elif isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            fitted.append(_fit(element, kind, str(element.key.evaluated_value), absolute, relative))
        else:
            fitted.append(element)
    last_space = _separator(closing_relative)
    rows = [e.with_changes(comma=cst.Comma(whitespace_after=_separator(relative))) for e in fitted[:-1]]
    if kind.trailing_field:
        rows.append(fitted[-1].with_changes(comma=cst.Comma(whitespace_after=last_space)))
        return render(rows, _separator(relative), None)
    rows.append(fitted[-1].with_changes(comma=cst.Comma()))
    return render(rows, _separator(relative), last_space)
