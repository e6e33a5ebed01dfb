"""Black, applied only to the lines the transforms touched.

Reformatting whole files would bury the codemod's change in unrelated churn, so
black's ``lines=`` ranges restrict it to what we wrote. Imported lazily: black is
slow to import and most runs format nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.engine.skip_markers import source_lines


def touched_ranges(old: str, new: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``new`` that differ from ``old``."""
    matcher = difflib.SequenceMatcher(None, source_lines(old), source_lines(new), autojunk=False)
    return [
        (j1 + 1, j2)
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("replace", "insert") and j2 > j1
    ]


def black_mode(config: Mapping[str, Any]) -> Any:
    """A black ``Mode`` from the target project's ``[tool.black]`` table."""
    import black

    targets = {
        black.TargetVersion[version.upper()]
        for version in config.get("target-version", config.get("target_version", []))
        if version.upper() in black.TargetVersion.__members__
    }
    return black.Mode(
        target_versions=targets,
        line_length=int(config.get("line-length", config.get("line_length", black.DEFAULT_LINE_LENGTH))),
        string_normalization=not config.get(
            "skip-string-normalization", config.get("skip_string_normalization", False)
        ),
        magic_trailing_comma=not config.get(
            "skip-magic-trailing-comma", config.get("skip_magic_trailing_comma", False)
        ),
    )


def format_touched_lines(old: bytes, new: bytes, encoding: str, config: Mapping[str, Any]) -> bytes:
    """Black-format the lines of ``new`` that differ from ``old``; keep the rest.

    Black works on ``\\n`` text; CRLF files are converted for it and back (a BOM is
    handled by the ``utf-8-sig`` codec). If black fails (it refuses some valid code)
    or changes a line outside the touched statements, the unformatted result is kept.
    """
    import black

    old_text = old.decode(encoding)
    new_text = new.decode(encoding)
    crlf = "\r\n" in new_text
    if crlf and new_text.count("\n") != new_text.count("\r\n"):
        # Mixed line endings cannot be restored after black's \n-only pass.
        return new
    if crlf:
        new_text = new_text.replace("\r\n", "\n")
        old_text = old_text.replace("\r\n", "\n")
    ranges = touched_ranges(old_text, new_text)
    if not ranges:
        return new
    try:
        formatted = black.format_file_contents(new_text, fast=True, mode=black_mode(config), lines=ranges)
    except black.NothingChanged:
        return new
    except Exception:  # noqa: BLE001 - black rejecting code must not fail the run
        return new
    if not _changes_stay_in(new_text, formatted, ranges):
        return new
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    return formatted.encode(encoding)


def _changes_stay_in(before: str, after: str, ranges: list[tuple[int, int]]) -> bool:
    """True when every change black made overlaps a touched range.

    With ``lines=`` black still adjusts blank lines next to a range (it drops one of
    the two blank lines before a ``def`` that follows an added import): such edits to
    untouched code would leak unrelated churn into the diff.
    """
    matcher = difflib.SequenceMatcher(None, source_lines(before), source_lines(after), autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        first, last = i1 + 1, max(i2, i1 + 1)
        if not any(first <= end and start <= last for start, end in ranges):
            return False
    return True
