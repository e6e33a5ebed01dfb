"""``# fastapi-codemods: skip`` and ``skip-file`` comments, and line numbering.

Read by the pipeline (before parsing a file), by transforms (for a node's lines) and
by the libcst-free project analysis, so this module imports no libcst.
"""

from __future__ import annotations

import re

SKIP_MARKER = re.compile(
    r"#\s*fastapi-codemods:\s*(?P<kind>skip-file|skip)\b(?:\s*=\s*(?P<names>\w+(?:\s*,\s*\w+)*))?",
    re.IGNORECASE,
)


def source_lines(text: str) -> list[str]:
    """The lines of ``text`` as Python and libcst number them.

    Only ``\\r\\n``, ``\\r`` and ``\\n`` end a line: ``str.splitlines`` also splits on
    form feeds and Unicode separators, which would shift every later line number.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def skip_markers(text: str) -> tuple[dict[int, frozenset[str] | None], frozenset[str] | None, bool]:
    """Find ``# fastapi-codemods: skip[=NAMES]`` and ``skip-file[=NAMES]`` comments.

    Returns (line -> transform names or None for all, skip-file names or None for
    all, whether the whole file is skipped for every transform). A marker inside a
    string literal also counts: that errs on the side of not rewriting.
    """
    lines: dict[int, frozenset[str] | None] = {}
    file_names: set[str] = set()
    whole_file = False
    if not SKIP_MARKER.search(text):
        return lines, frozenset(), False
    for number, line in enumerate(source_lines(text), start=1):
        for match in SKIP_MARKER.finditer(line):
            names = _names(match.group("names"))
            if match.group("kind").lower() == "skip-file":
                if names is None:
                    whole_file = True
                else:
                    file_names.update(names)
            else:
                previous = lines.get(number, frozenset())
                lines[number] = None if names is None or previous is None else previous | names
    return lines, (None if whole_file else frozenset(file_names)), whole_file


def _names(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    names = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    return names or None
