"""A changed file's diff as separate hunks, and the file rebuilt from some of them.

`run --interactive` asks about each hunk; only the accepted ones are written. The
hunks are exactly the ``@@`` sections `report.file_diff` prints (same line splitting,
same difflib grouping, 3 lines of context), so what the reviewer sees is what
``--diff`` shows. Rebuilding works on the byte lines: CRLF, a BOM, an encoding
cookie and a missing final newline stay as they are in the chosen side.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi_codemods.engine.report import file_diff, split_lines
from fastapi_codemods.engine.results import FileResult

CONTEXT = 3  # difflib.unified_diff's default, which file_diff uses


@dataclass(frozen=True)
class Change:
    """Old lines ``[old_start, old_end)`` become new lines ``[new_start, new_end)``."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


@dataclass(frozen=True)
class Hunk:
    text: bytes  # the "@@ ... @@" section of the file's diff, as --diff prints it
    changes: tuple[Change, ...]
    adds_import: bool  # an added line starts an import: other hunks may need it


@dataclass(frozen=True)
class FileHunks:
    """One changed file: its diff header, its hunks, and the lines to rebuild from."""

    result: FileResult
    header: bytes  # "diff --git", "---", "+++" (and "new file mode") lines
    hunks: tuple[Hunk, ...]
    old_lines: tuple[bytes, ...]
    new_lines: tuple[bytes, ...]


def split(result: FileResult) -> FileHunks:
    """The hunks of a changed (or created) file, in file order."""
    assert result.new is not None
    old_lines = split_lines(result.old)
    new_lines = split_lines(result.new)
    groups = list(difflib.SequenceMatcher(None, old_lines, new_lines).get_grouped_opcodes(CONTEXT))
    header, sections = _sections(file_diff(result))
    if len(sections) != len(groups):
        raise AssertionError(f"{result.path}: {len(sections)} diff sections for {len(groups)} hunks")
    hunks = []
    for section, group in zip(sections, groups):
        changes = tuple(Change(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in group if tag != "equal")
        hunks.append(Hunk(text=section, changes=changes, adds_import=_adds_import(changes, new_lines)))
    return FileHunks(result, header, tuple(hunks), tuple(old_lines), tuple(new_lines))


def apply(file: FileHunks, accepted: Sequence[bool]) -> bytes:
    """The old bytes with the accepted hunks' changes made, the others' left out.

    Every hunk accepted gives the new bytes, none gives the old bytes.
    """
    if len(accepted) != len(file.hunks):
        raise ValueError(f"{len(accepted)} answers for {len(file.hunks)} hunks")
    out: list[bytes] = []
    position = 0
    for hunk, take in zip(file.hunks, accepted):
        for change in hunk.changes:
            out.extend(file.old_lines[position:change.old_start])
            if take:
                out.extend(file.new_lines[change.new_start:change.new_end])
            else:
                out.extend(file.old_lines[change.old_start:change.old_end])
            position = change.old_end
    out.extend(file.old_lines[position:])
    return b"".join(out)


def _sections(diff: bytes) -> tuple[bytes, list[bytes]]:
    """A file diff cut before each ``@@`` line (no content line starts with "@@":
    each starts with " ", "+", "-" or "\\")."""
    header: list[bytes] = []
    sections: list[list[bytes]] = []
    for line in split_lines(diff):
        if line.startswith(b"@@"):
            sections.append([])
        (sections[-1] if sections else header).append(line)
    return b"".join(header), [b"".join(section) for section in sections]


def _adds_import(changes: tuple[Change, ...], new_lines: Sequence[bytes]) -> bool:
    return any(
        new_lines[index].lstrip().startswith((b"import ", b"from "))
        for change in changes
        for index in range(change.new_start, change.new_end)
    )
