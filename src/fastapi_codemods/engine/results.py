"""Frozen, picklable records that travel from worker processes to the report.

Workers never print or write; everything they learn about a file is one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    """What happened to one file; the values are the JSON report's vocabulary."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, order=True)
class Finding:
    """A place a transform did not dare to rewrite, with a reason a reviewer can act on."""

    path: str
    line: int
    transform: str
    reason: str


@dataclass(frozen=True)
class FileResult:
    """The outcome of running the selected transforms on one file.

    ``old``/``new`` are the exact bytes before and after (``new`` is None unless the
    file changed); ``old`` is empty for a file the run creates.
    """

    path: str
    root: str
    status: Status
    old: bytes = b""
    new: bytes | None = None
    transforms: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    # A problem that changes nothing (a file no transform looks at does not parse).
    warning: str | None = None
    created: bool = False
    mode: int | None = field(default=None, compare=False)
