"""The read-only view of a whole root that transforms analyse before rewriting.

Transforms need cross-file facts (is logging configured anywhere? which module builds
the app? which classes are Pydantic models?). They read them here with the stdlib
``ast``, which is much faster than libcst, and each file is read and parsed at most
once however many transforms ask.
"""

from __future__ import annotations

import ast
import tokenize
import warnings
from collections.abc import Iterator
from functools import cached_property
from io import BytesIO
from pathlib import Path

from fastapi_codemods.fileinfo import FileInfo


class Project:
    """The Python files of one root, with cached text and ``ast`` trees."""

    def __init__(self, root: Path, files: list[tuple[Path, FileInfo]]) -> None:
        self.root = root
        self.files = files
        self._text: dict[Path, str | None] = {}
        self._ast: dict[Path, ast.Module | None] = {}

    def text(self, path: Path) -> str | None:
        """The decoded source, or None when it cannot be read or decoded."""
        if path not in self._text:
            try:
                data = path.read_bytes()
                encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
                self._text[path] = data.decode(encoding)
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
                self._text[path] = None
        return self._text[path]

    def tree(self, path: Path, keep: bool = True) -> ast.Module | None:
        """The stdlib ``ast`` of the file, or None when it does not parse.

        ``keep=False`` does not cache a tree parsed now (a pass over every file that
        needs each tree once): the trees of a large root do not fit in memory
        together comfortably, and the other analyses ask for few of them.
        """
        if path in self._ast:
            return self._ast[path]
        text = self.text(path)
        tree = None
        if text is not None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(text, filename=str(path))
            except (SyntaxError, ValueError, RecursionError):
                tree = None
        if keep:
            self._ast[path] = tree
        return tree

    def containing(self, *needles: str) -> Iterator[tuple[Path, FileInfo, ast.Module]]:
        """Parsed files whose text holds any of ``needles`` (the cheap prefilter)."""
        for path, info in self.files:
            text = self.text(path)
            if text is None or not any(needle in text for needle in needles):
                continue
            tree = self.tree(path)
            if tree is not None:
                yield path, info, tree

    def release(self) -> None:
        """Drop the cached text and trees once the analysis is done.

        Worker processes are forked from the main process: every cached tree would
        be copied into each of them as reference counts touch its pages.
        """
        self._text.clear()
        self._ast.clear()

    @cached_property
    def module_names(self) -> dict[str, FileInfo]:
        """Dotted module name -> file, for resolving imports between the root's modules."""
        return {info.module: info for _, info in self.files}
