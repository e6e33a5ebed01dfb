"""The read-only view of a whole root that transforms analyse before rewriting.

Transforms need cross-file facts (is logging configured anywhere? which module builds
the app? which classes are Pydantic models?). They read them here with the stdlib
``ast``, which is much faster than libcst. Their per-file steps (`FilePass`) run
first, all of them on each file in one go and in worker processes when asked
(`compute_all`); what they combine, and the few files they read later, come from
the cached texts and trees here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi_codemods.analysis.filepasses import FilePass, PassFailure, Scheduled, compute_file, computing_in_workers
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.inputs import Inputs
from fastapi_codemods.engine.sources import decode, parse, read_regular


class Project:
    """The Python files of one root, with cached text and ``ast`` trees and the
    results of the per-file passes."""

    def __init__(self, root: Path, files: list[tuple[Path, FileInfo]]) -> None:
        self.root = root
        self.files = files
        self._text: dict[Path, str | None] = {}
        self._ast: dict[Path, ast.Module | None] = {}
        self._computed: dict[str, dict[int, Any]] = {}
        # Every file besides the sources that an analysis read, and every folder it
        # listed or path it checked: the run cache asks them again (`engine.inputs`).
        self.inputs = Inputs()
        # Whole-root facts several analyses read (the program model), built once.
        self.shared: dict[str, Any] = {}

    def text(self, path: Path) -> str | None:
        """The decoded text of a source, or of another file an analysis reads (a
        Dockerfile, a requirements file: noted in `inputs`); None when it cannot be
        read or decoded."""
        if path not in self._text:
            if path in self._sources:
                try:
                    self._text[path] = decode(read_regular(path))
                except OSError:
                    self._text[path] = None
            else:
                data = self.inputs.read(path)
                self._text[path] = None if data is None else decode(data)
        return self._text[path]

    def exists(self, path: Path) -> bool:
        return self.inputs.kind(path) is not None

    def is_file(self, path: Path) -> bool:
        return self.inputs.kind(path) == "file"

    def is_dir(self, path: Path) -> bool:
        return self.inputs.kind(path) == "dir"

    def glob(self, folder: Path, pattern: str) -> list[Path]:
        """The paths under ``folder`` matching ``pattern``, sorted (noted in `inputs`)."""
        return [Path(found) for found in self.inputs.glob(folder, pattern)]

    @cached_property
    def _sources(self) -> frozenset[Path]:
        return frozenset(path for path, _ in self.files)

    def tree(self, path: Path, keep: bool = True) -> ast.Module | None:
        """The stdlib ``ast`` of the file, or None when it does not parse.

        ``keep=False`` does not cache a tree parsed now (`compute_all` reads each tree
        once): the trees of a large root do not fit in memory together comfortably,
        and the analyses ask for few of them afterwards.
        """
        if path in self._ast:
            return self._ast[path]
        text = self.text(path)
        tree = None if text is None else parse(text, path)
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

    def has_run(self, file_pass: FilePass) -> bool:
        """Whether `compute_all` ran ``file_pass`` already."""
        return file_pass.name in self._computed

    def results(self, file_pass: FilePass, options: Mapping[str, Any]) -> Iterator[tuple[Path, FileInfo, Any]]:
        """``file_pass``'s result for each file it applies to and ``ast`` parses, in
        file order: from `compute_all`, which runs it here first if it has not yet
        (an analysis called on its own, as tests do)."""
        if file_pass.name not in self._computed:
            self.compute_all([(file_pass, options)])
        computed = self._computed[file_pass.name]
        for index, (path, info) in enumerate(self.files):
            if index in computed:
                result = computed[index]
                if isinstance(result, PassFailure):
                    raise result.error
                yield path, info, result

    def compute_all(self, scheduled: Scheduled, jobs: int = 1,
                    meanwhile: Callable[[], None] | None = None) -> None:
        """Run every scheduled pass on every file, each file parsed once for all.

        With ``jobs > 1`` in worker processes; else here, without caching the trees.
        Either way no more than a few trees exist at once, however large the root.
        ``meanwhile`` runs here while the workers compute (the driver imports libcst
        then); with one job, before computing.
        """
        computed: dict[str, dict[int, Any]] = {file_pass.name: {} for file_pass, _ in scheduled}
        if jobs > 1:
            with computing_in_workers(self.files, scheduled, jobs) as found:
                if meanwhile is not None:
                    meanwhile()
                self._store(found, computed)
        else:
            if meanwhile is not None:
                meanwhile()
            self._store(self._compute_here(scheduled), computed)
        self._computed.update(computed)

    @staticmethod
    def _store(found: Iterable[tuple[int, dict[str, Any]]], computed: dict[str, dict[int, Any]]) -> None:
        for index, results in found:
            for name, result in results.items():
                computed[name][index] = result

    def _compute_here(self, scheduled: Scheduled) -> Iterator[tuple[int, dict[str, Any]]]:
        for index, (path, info) in enumerate(self.files):
            text = self.text(path)
            if text is not None:
                yield index, compute_file(info, text, lambda: self.tree(path, keep=False), scheduled)

    def release(self) -> None:
        """Drop the cached text and trees once the analysis is done.

        Worker processes are forked from the main process: every cached tree would
        be copied into each of them as reference counts touch its pages.
        """
        self._text.clear()
        self._ast.clear()
        self._computed.clear()
        self.shared.clear()

    @cached_property
    def modules(self) -> dict[str, tuple[Path, FileInfo]]:
        """Dotted module name -> its file, for resolving imports between the root's modules."""
        return {info.module: (path, info) for path, info in self.files}
