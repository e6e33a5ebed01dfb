"""Which files a transform parses with libcst, decided from the stdlib ``ast`` pass.

Parsing with libcst and resolving its metadata costs tens of times ``ast.parse``,
and most files that pass a transform's text prefilter hold nothing for it (the word
``print`` in a docstring, ``FastAPI`` in a type hint). ``analyze_project`` already
has the ``ast`` of every such file, so it names the files where the transform may
rewrite something or report a finding; `Transform.wants` answers from that.

The answer must never leave out a file the transform would act on: a judge may say
yes too often, never too rarely. A file ``ast`` cannot parse (newer syntax than this
interpreter, Python 2) stays a candidate, since libcst may still parse it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo


@dataclass(frozen=True)
class Candidates:
    """The relpaths to parse, out of the relpaths the analysis looked at."""

    files: frozenset[str] = frozenset()
    scanned: frozenset[str] = frozenset()

    def wants(self, relpath: str) -> bool | None:
        """Whether to parse ``relpath``; None for a file the analysis never saw."""
        if relpath not in self.scanned:
            return None
        return relpath in self.files


def from_results(project, file_pass: FilePass, options: Mapping[str, Any],
                 accept: Callable[[FileInfo, Any], bool]) -> Candidates:
    """The candidates of a judge that runs as a `FilePass` (``accept`` decides from
    its result): the files it accepts, plus every file that holds a needle but that
    it could not judge (unreadable, or rejected by ``ast``), for the pipeline to decide."""
    files: set[str] = set()
    judged: set[str] = set()
    for _path, info, result in project.results(file_pass, options):
        judged.add(info.relpath)
        if accept(info, result):
            files.add(info.relpath)
    for path, info in project.files:
        if info.relpath in judged:
            continue
        text = project.text(path)
        if text is None or file_pass.applies(info, text):
            files.add(info.relpath)
    return Candidates(frozenset(files), frozenset(info.relpath for _, info in project.files))


def called_names(tree: ast.Module, name: str) -> set[str]:
    """Local names that may denote ``name`` when called: itself and every ``as``
    alias of an import of it (``from fastapi import FastAPI as F``)."""
    names = {name}
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname for alias in node.names if alias.name == name and alias.asname)
        elif isinstance(node, ast.Import):
            # ``import fastapi.FastAPI as F`` fails at run time, but libcst resolves it.
            names.update(
                alias.asname
                for alias in node.names
                if alias.asname and alias.name.rpartition(".")[2] == name
            )
    return names


def terminal_name(node: ast.expr) -> str | None:
    """``F`` for ``F(...)``, ``FastAPI`` for ``fastapi.FastAPI(...)``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
