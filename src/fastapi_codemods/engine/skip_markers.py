"""``# fastapi-codemods: skip`` and ``skip-file`` comments, and line numbering.

A linter's suppression comment for the rule a transform applies says the same as a
skip marker for that transform: ``print(x)  # noqa: T201`` tells ruff (or
flake8-print) that this print is meant, so print_to_logging leaves the statement
alone. A bare ``# noqa`` silences every rule, that one included.

Read by the pipeline (before parsing a file), by transforms (for a node's lines) and
by the libcst-free project analysis, so this module imports no libcst.
"""

from __future__ import annotations

import re

SKIP_MARKER = re.compile(
    r"#\s*fastapi-codemods:\s*(?P<kind>skip-file|skip)\b(?:\s*=\s*(?P<names>\w+(?:\s*,\s*\w+)*))?",
    re.IGNORECASE,
)

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
# Lint codes whose suppression marks a statement as skipped for a transform: ruff's
# and flake8-print's "print found" (T201; T001 before flake8-print 5), and their group.
NOQA_CODES: dict[str, frozenset[str]] = {"print_to_logging": frozenset({"T201", "T20", "T001"})}


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
    """Find ``# fastapi-codemods: skip[=NAMES]`` and ``skip-file[=NAMES]`` comments,
    and the ``# noqa`` comments that skip a statement for some transform (`NOQA_CODES`).

    Returns (line -> transform names or None for all, skip-file names or None for
    all, whether the whole file is skipped for every transform). A marker inside a
    string literal also counts: that errs on the side of not rewriting.
    """
    lines: dict[int, frozenset[str] | None] = {}
    file_names: set[str] = set()
    whole_file = False
    markers = SKIP_MARKER.search(text) is not None
    noqa = NOQA.search(text) is not None
    if not (markers or noqa):
        return lines, frozenset(), False
    for number, line in enumerate(source_lines(text), start=1):
        if noqa:
            names = _noqa_transforms(line)
            if names:
                previous = lines.get(number, frozenset())
                lines[number] = None if previous is None else previous | names
        if not markers:
            continue
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


def _noqa_transforms(line: str) -> frozenset[str]:
    """The transforms a ``# noqa`` comment on ``line`` skips (none without one)."""
    skipped: set[str] = set()
    for match in NOQA.finditer(line):
        codes = match.group("codes")
        wanted = None if codes is None else {code.upper() for code in re.split(r"[,\s]+", codes) if code}
        skipped.update(name for name, known in NOQA_CODES.items() if wanted is None or wanted & known)
    return frozenset(skipped)


def _names(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    names = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    return names or None
