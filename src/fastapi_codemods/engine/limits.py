"""Per-file limits, checked before a file reaches a parser that could crash on it.

libcst's native parser overflows its stack on 5,000 nested parentheses (the process
dies: no exception to catch), takes minutes on a 100,000-term ``a+a+...`` line and
gigabytes on ``f(f(f(...)))`` 1,000 deep; CPython's own parser raises MemoryError on
10,000 repeated ``not``. No real code comes near the limits below; a file beyond one
fails alone, named, before any parser but this cheap check sees it.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings

# Brackets open at once, for code the stdlib parser rejects (it stops at 200 itself).
MAX_BRACKETS = 100
# Nesting of the stdlib ast: a 500-term chain of ``+`` or ``not`` is 500 deep.
MAX_DEPTH = 500
# Characters on one line.
MAX_LINE = 100_000
# Tokens in one logical line (a statement), for code the stdlib parser rejects.
MAX_TOKENS = 200_000


def limit_problem(text: str) -> str | None:
    """Which limit ``text`` exceeds ("nested deeper than 500 levels at line 3"), or None."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE:
        return f"a line longer than {MAX_LINE:,} characters"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (RecursionError, MemoryError):
        return f"nested deeper than {MAX_DEPTH} levels"
    except (SyntaxError, ValueError) as error:
        if "too many nested parentheses" in str(error):
            return "more than 200 brackets open at once (CPython's own limit)"
        # Newer syntax than this Python, or not Python: the tokens still show nesting.
        return _token_problem(text)
    return depth_problem(tree)


def depth_problem(tree: ast.AST) -> str | None:
    """Why ``tree`` is too deep to hand to code that recurses over it, or None."""
    level = [tree]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            line = getattr(level[0], "lineno", None)
            return f"nested deeper than {MAX_DEPTH} levels" + (f" at line {line}" if line else "")
        level = [child for node in level for child in ast.iter_child_nodes(node)]
    return None


def _token_problem(text: str) -> str | None:
    depth = 0
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            count += 1
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                    if depth > MAX_BRACKETS:
                        return f"more than {MAX_BRACKETS} brackets open at once at line {token.start[0]}"
                elif token.string in ")]}":
                    depth = max(depth - 1, 0)
            elif token.type == tokenize.NEWLINE:
                count = 0
            if count > MAX_TOKENS:
                return f"a statement of more than {MAX_TOKENS:,} tokens at line {token.start[0]}"
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None  # the parser reports the syntax error
    return None
