"""Turning print()'s positional arguments into a lazy %-style logging message.

print() writes ``sep.join(str(a) for a in args)``. Logging's ``getMessage`` computes
``str(msg) % args`` only when there are args. So literals merge into the format
string (``%`` doubled only when there are args), every other value becomes a ``%s``
argument, and f-strings split into format text and arguments where %-formatting is
provably the same (no format spec: a spec becomes a ``format(x, spec)`` argument).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

_PERCENT_FIELD = re.compile(r"%(?:%|[#0\- +]*(?:[1-9]\d*)?(?:\.\d+)?[diouxXeEfFgGcrsa])")
_CONVERSIONS = {None: "%s", "s": "%s", "r": "%r", "a": "%a"}

# Pictographs, dingbats and symbols used as decoration, with their joiners,
# variation selectors and keycaps.
_EMOJI_CHAR = (
    "\U0001f000-\U0001faff"
    "\u2600-\u27bf"
    "\u2300-\u23ff"
    "\u2b00-\u2bff"
    "\u2139\u3030\u303d\u3297\u3299"
)
_EMOJI = rf"[{_EMOJI_CHAR}](?:[\ufe0f\u20e3]|\u200d[{_EMOJI_CHAR}])*"
_EMOJI_RUN = re.compile(rf"(?:{_EMOJI}[ \t]*)+")
_TRAILING_EMOJI = re.compile(rf"[ \t]+(?:{_EMOJI}[ \t]*)+$")


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Value:
    expr: cst.BaseExpression
    placeholder: str


Piece = Text | Value


@dataclass
class Message:
    """The logging call's arguments: the message, the lazy args, and notes for findings."""

    msg: cst.BaseExpression
    args: list[cst.BaseExpression]
    notes: list[str] = field(default_factory=list)


def build_message(values: list[cst.BaseExpression], sep: str, strip_emoji: bool) -> Message:
    """The message and args equivalent to ``print(*values, sep=sep)``.

    New literals take the quote character of the print's first string (a project
    formatted with single quotes keeps them), double quotes otherwise.
    """
    notes: list[str] = []
    quote = _quote_of(values)
    if len(values) == 1 and (lazy := _lazy_percent(values[0], strip_emoji, quote)) is not None:
        return lazy
    pieces: list[Piece] = []
    for index, value in enumerate(values):
        if index:
            pieces.append(Text(sep))
        pieces.extend(_pieces(value, notes))
    pieces = _merged(pieces)
    if strip_emoji:
        pieces = [Text(_strip_emoji(p.value)) if isinstance(p, Text) else p for p in pieces]
    texts = [p for p in pieces if isinstance(p, Text) and p.value]
    args = [p for p in pieces if isinstance(p, Value)]

    if not args:
        text = "".join(p.value for p in texts)
        original = values[0] if len(values) == 1 else None
        if original is not None and is_str_literal(original) and literal_text(original) == text:
            return Message(original, [], notes)
        return Message(string_literal(text, quote), [], notes)
    if not texts and len(args) == 1 and args[0].placeholder == "%s" and _is_str_valued(args[0].expr):
        return Message(args[0].expr, [], notes)
    fmt = "".join(p.value.replace("%", "%%") if isinstance(p, Text) else p.placeholder for p in pieces)
    return Message(string_literal(fmt, quote), [p.expr for p in args], notes)


def _lazy_percent(node: cst.BaseExpression, strip_emoji: bool, quote: str) -> Message | None:
    """``"fmt" % (a, b)`` as ``("fmt", a, b)`` when the fields match the tuple exactly.

    Only a tuple display: ``"%s" % x`` with a tuple ``x`` unpacks it, logging would not.
    """
    if not (
        isinstance(node, cst.BinaryOperation)
        and isinstance(node.operator, cst.Modulo)
        and not node.lpar
        and is_str_literal(node.left)
        and isinstance(node.right, cst.Tuple)
        and node.right.elements
        and not any(isinstance(element, cst.StarredElement) for element in node.right.elements)
    ):
        return None
    fmt = literal_text(node.left)
    if fmt is None or _percent_fields(fmt) != len(node.right.elements):
        return None
    msg: cst.BaseExpression = node.left
    if strip_emoji and _strip_emoji(fmt) != fmt:
        msg = string_literal(_strip_emoji(fmt), quote)
    return Message(msg, [element.value for element in node.right.elements])


def _percent_fields(fmt: str) -> int | None:
    """How many values a %-format takes; None for mapping keys, ``*`` or anything odd."""
    count = 0
    position = 0
    for match in _PERCENT_FIELD.finditer(fmt):
        if match.start() != fmt.index("%", position):
            return None
        position = match.end()
        if match.group() != "%%":
            count += 1
    if "%" in fmt[position:]:
        return None
    return count


def _pieces(node: cst.BaseExpression, notes: list[str]) -> list[Piece]:
    if is_str_literal(node) or isinstance(node, (cst.Integer, cst.Float)) or _is_bytes_literal(node):
        text = literal_text(node)
        if text is not None:
            return [Text(text)]
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None") and not node.lpar:
        return [Text(node.value)]
    if isinstance(node, cst.FormattedString):
        return _fstring_pieces(node, notes)
    if isinstance(node, cst.ConcatenatedString) and not node.lpar:
        return _pieces(node.left, notes) + _pieces(node.right, notes)
    return [Value(node, "%s")]


def _fstring_pieces(node: cst.FormattedString, notes: list[str]) -> list[Piece]:
    prefix = node.prefix.lower().replace("f", "")
    pieces: list[Piece] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text = _fstring_text(part.value, prefix, node.end)
            if text is None:
                notes.append("an f-string's literal text could not be read; it is kept as an eager argument")
                return [Value(node, "%s")]
            pieces.append(Text(text))
            continue
        formatted = _format_call(part)
        if formatted is not None:
            pieces.append(Value(formatted, "%s"))
            continue
        placeholder = _placeholder(part)
        if placeholder is None:
            field_code = cst.Module([]).code_for_node(part)
            notes.append(
                f"f-string field `{field_code}` has no %-style equivalent; the f-string is kept "
                "(formatted eagerly even when the level is disabled)"
            )
            return [Value(node, "%s")]
        pieces.append(Value(part.expression, placeholder))
    return pieces


def _placeholder(part: cst.FormattedStringExpression) -> str | None:
    if part.equal is not None or part.format_spec is not None:
        return None
    return _CONVERSIONS.get(part.conversion)


def _format_call(part: cst.FormattedStringExpression) -> cst.Call | None:
    """``{x:.2f}`` as the argument ``format(x, ".2f")``: no %-conversion formats every
    value the same (``%.2f`` turns a Decimal into a float first, ``%d`` truncates a
    float where ``:d`` raises), ``format`` is what the f-string calls. ``!r``/``!s``/
    ``!a`` apply first; a nested spec (``{x:{width}}``) or ``{x=}`` returns None."""
    if part.equal is not None or part.format_spec is None or len(part.format_spec) != 1:
        return None
    spec = part.format_spec[0]
    if not isinstance(spec, cst.FormattedStringText) or "\\" in spec.value or '"' in spec.value:
        return None
    value: cst.BaseExpression = part.expression
    if part.conversion is not None:
        convert = {"r": "repr", "s": "str", "a": "ascii"}.get(part.conversion)
        if convert is None:
            return None
        value = cst.Call(cst.Name(convert), [cst.Arg(value)])
    return cst.Call(cst.Name("format"), [cst.Arg(value), cst.Arg(cst.SimpleString(f'"{spec.value}"'))])


def _fstring_text(raw: str, prefix: str, quote: str) -> str | None:
    try:
        value = ast.literal_eval(prefix + quote + raw.replace("{{", "{").replace("}}", "}") + quote)
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _merged(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].value + piece.value)
        else:
            merged.append(piece)
    return merged


def is_str_literal(node: cst.BaseExpression) -> bool:
    if node.lpar:
        return False
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return is_str_literal(node.left) and is_str_literal(node.right)
    return False


def _is_bytes_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_bytes_literal(node.left) and _is_bytes_literal(node.right)
    return False


def _is_str_valued(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return is_str_literal(node.left)
    return is_str_literal(node) or isinstance(node, cst.FormattedString) or (
        isinstance(node, cst.ConcatenatedString)
        and all(_is_str_valued(side) for side in (node.left, node.right))
    )


def literal_text(node: cst.BaseExpression) -> str | None:
    """``str()`` of a literal, as print() would write it; None if it cannot be computed."""
    try:
        return str(ast.literal_eval("(" + cst.Module([]).code_for_node(node) + ")"))
    except (SyntaxError, ValueError):
        return None


def _strip_emoji(text: str) -> str:
    return _EMOJI_RUN.sub("", _TRAILING_EMOJI.sub("", text))


def _quote_of(values: list[cst.BaseExpression]) -> str:
    for value in values:
        while isinstance(value, cst.ConcatenatedString):
            value = value.left
        if isinstance(value, (cst.SimpleString, cst.FormattedString)):
            return value.quote[0]
    return '"'


def string_literal(text: str, quote: str = '"') -> cst.SimpleString:
    """A literal for ``text`` in ``quote`` unless the other quote needs fewer escapes
    (black's rule, with the project's own preference)."""
    code = repr(text)
    if quote == '"' and code.startswith("'") and '"' not in text:
        code = '"' + code[1:-1].replace("\\'", "'") + '"'
    return cst.SimpleString(code)
