"""What a transform may know about the file it rewrites, besides its source."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FileInfo:
    """Identity of one source file.

    ``path`` is the display path (relative to the git root, else the working folder),
    ``relpath`` is relative to the root given on the command line; ``module`` is the
    dotted module name derived from ``relpath``. The derived names are computed once:
    the project analysis asks for them thousands of times.
    """

    path: str
    relpath: str

    @cached_property
    def module(self) -> str:
        parts = list(PurePosixPath(self.relpath).with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    @cached_property
    def package(self) -> str:
        """The package relative imports start from (the module itself for ``__init__``)."""
        if PurePosixPath(self.relpath).name == "__init__.py":
            return self.module
        return self.module.rpartition(".")[0]

    @cached_property
    def is_test_file(self) -> bool:
        """pytest's own naming rules plus any ``tests``/``test`` folder."""
        posix = PurePosixPath(self.relpath)
        name = posix.name
        if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
            return True
        return any(part in ("tests", "test") for part in posix.parts[:-1])
