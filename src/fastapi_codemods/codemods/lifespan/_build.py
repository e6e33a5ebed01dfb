"""The code the lifespan transform writes: the lifespan function and the new keyword.

Kept apart from the decisions in ``__init__``: this only lays code out, the way the
surrounding code is laid out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Handler:
    """A handler to run: its module-level name and whether it is an ``async def``."""

    name: str
    is_async: bool


def lifespan_function(
    module: cst.Module,
    name: str,
    decorator: str,
    parameter: str,
    annotation: str,
    startup: Sequence[Handler],
    shutdown: Sequence[Handler],
) -> cst.FunctionDef:
    """``@decorator async def name(parameter: annotation):`` running ``startup`` in
    order, yielding, then running ``shutdown`` in order. Shutdown sits in a
    ``finally``, as FastAPI's default lifespan runs it in ``__aexit__`` whatever ended
    the app's run; a failed startup never reaches the ``yield``, so never shuts down."""
    indent = module.default_indent

    def calls(handlers: Sequence[Handler], depth: int) -> list[str]:
        return [f"{indent * depth}{'await ' if h.is_async else ''}{h.name}()" for h in handlers]

    lines = [f"@{decorator}", f"async def {name}({parameter}: {annotation}):", *calls(startup, 1)]
    if shutdown:
        lines += [f"{indent}try:", f"{indent * 2}yield", f"{indent}finally:", *calls(shutdown, 2)]
    else:
        lines.append(f"{indent}yield")
    statement = cst.parse_statement("\n".join(lines) + "\n", module.config_for_parsing)
    assert isinstance(statement, cst.FunctionDef)
    return statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])


def with_keyword(call: cst.Call, keyword: str, value: str) -> cst.Call:
    """``call`` with ``keyword=value`` added last, on its own line when the
    arguments are one per line."""
    new = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.Name(value),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    separator = _separator(args, call)
    ending = last.comma
    if not isinstance(ending, cst.Comma):
        # No trailing comma: the new argument takes the last one's place before ``)``.
        moved = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
        return call.with_changes(args=[*args[:-1], moved, new.with_changes(whitespace_after_arg=last.whitespace_after_arg)])
    after = ending.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace) and isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace):
        # A comment after the old last argument stays on its line.
        between = ending.with_changes(
            whitespace_after=after.with_changes(
                indent=separator.whitespace_after.indent, last_line=separator.whitespace_after.last_line
            )
        )
        closing = ending.with_changes(
            whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        )
        return call.with_changes(args=[*args[:-1], last.with_changes(comma=between), new.with_changes(comma=closing)])
    return call.with_changes(args=[*args[:-1], last.with_changes(comma=separator), new.with_changes(comma=ending)])


def _separator(args: Sequence[cst.Arg], call: cst.Call) -> cst.Comma:
    """The comma (and what follows it) between two arguments of ``call``, without
    any comment that sat after one of them."""
    comma = args[0].comma if len(args) > 1 else None
    if not isinstance(comma, cst.Comma):
        opening = call.whitespace_before_args
        if isinstance(opening, cst.ParenthesizedWhitespace):
            return cst.Comma(whitespace_after=opening.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=()))
        return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return comma.with_changes(whitespace_after=after)
