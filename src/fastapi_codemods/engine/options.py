"""What a run is asked to do: the options the command line gives the driver.

Apart from the driver so that the command line and the report can name them
without importing the driver's dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Mode(str, Enum):
    WRITE = "write"
    DIFF = "diff"
    CHECK = "check"
    # `run --interactive`: results computed and the dirty-tree guard applied as for a
    # write, but nothing written: `engine.interactive` writes what the reviewer accepts.
    REVIEW = "review"


class UsageError(Exception):
    """Bad paths, options or configuration (or a crashing project analysis): exit
    code 2 before any file is touched."""


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for; ``None`` means "not given on the command line"."""

    paths: Sequence[Path]
    mode: Mode = Mode.WRITE
    only: list[str] | None = None
    skip: list[str] | None = None
    excludes: list[str] = field(default_factory=list)
    jobs: int | None = None
    allow_dirty: bool = False
    format: bool | None = None
    # Read and write `engine.cache` under each folder root (the command line's
    # default; ``--no-cache`` turns it off).
    cache: bool = False
    # Rewrite files without write permission too (`engine.writing`).
    allow_readonly: bool = False
