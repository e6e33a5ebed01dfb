"""Which files a transform parses with libcst, decided from the stdlib ``ast`` pass.

libcst parsing plus scope and qualified-name metadata costs tens of times a stdlib
``ast.parse``; the text prefilters accept most files of a real tree. A transform
whose ``analyze_project`` walks the trees anyway records the files that can really
hold something to rewrite or report, and every other file it could read is not
parsed again. A file the ``ast`` pass could not read (newer syntax than this
interpreter, undecodable, Python 2) is left to the text prefilter, as before:
libcst may still parse it, or report why it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi_codemods.fileinfo import FileInfo


@dataclass(frozen=True)
class Candidates:
    """Root-relative paths: the files worth parsing, among the files the pass decided on."""

    wanted: frozenset[str] = frozenset()
    decided: frozenset[str] = frozenset()

    def wants(self, file: FileInfo) -> bool:
        return file.relpath in self.wanted or file.relpath not in self.decided
