"""One line of code as evidence shows it: stripped and cut to a readable length.

Here, below both, because analysis facts (the deployment files' server commands)
carry excerpts as well as the audit's evidence does.
"""

from __future__ import annotations

EXCERPT_LENGTH = 80


def excerpt_of(text: str, line: int) -> str:
    """Line ``line`` of ``text``, stripped and cut to a readable length."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    return shorten(lines[line - 1].strip())


def shorten(text: str) -> str:
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 3] + "..."
