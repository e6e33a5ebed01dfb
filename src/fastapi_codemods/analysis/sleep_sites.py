"""Which files the async_sleep transform parses with libcst, decided from the stdlib ``ast``.

async_sleep acts only on calls an ``async def`` makes in its own body whose name may
be one of `blocking_calls.BLOCKING_CALLS`. Most files that pass its text prefilter
(``async`` and, say, ``open(``) hold none, and libcst with scope metadata costs tens
of times ``ast.parse``. A file is a candidate when some ``async def`` calls, outside
its nested functions, classes and lambdas, a name that an import anywhere in the
module may make a table entry (``t.sleep`` after ``import time as t``, ``nap`` after
``from time import sleep as nap``), or the builtin ``open``: a superset of what the
transform looks at (libcst's qualified names come from the same imports), as
`analysis.candidates` requires.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.analysis.blocking_calls import BLOCKING_CALLS
from fastapi_codemods.analysis.candidates import Candidates, from_results
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.side_effects import own_nodes, possible_names
from fastapi_codemods.engine.fileinfo import FileInfo

OPTIONS: Mapping[str, Any] = {}


BUILTIN_OPEN = "builtins.open"
# What `blocking_names` says of a file: nothing, only the builtin ``open`` (and the
# module binds no ``open``: the transform then needs no scope analysis), anything.
NONE, OPEN_ONLY, ANY = "", "open", "any"


def blocking_names(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> str:
    """Whether some ``async def`` calls, in its own body, a name that may resolve to
    a blocking call through an import anywhere in the module (``import_bindings``
    over-approximates libcst's qualified names) or to the builtin ``open``; `OPEN_ONLY`
    when every such call is ``open(...)`` and nothing in the module binds ``open``
    (no star import either), so that libcst's scope analysis would say the builtin."""
    bindings = import_bindings(tree, info.package)
    found: set[str] = set()
    only_plain_open = True
    for function in nodes_of(tree, ast.AsyncFunctionDef):
        for node in own_nodes(function):
            if isinstance(node, ast.Call):
                names = BLOCKING_CALLS.keys() & possible_names(node.func, info.module, bindings)
                if names:
                    found.update(names)
                    only_plain_open &= isinstance(node.func, ast.Name) and node.func.id == "open"
    if not found:
        return NONE
    return OPEN_ONLY if only_plain_open and found == {BUILTIN_OPEN} and not binds(tree, "open") else ANY


def binds(tree: ast.Module, name: str) -> bool:
    """Whether anything in the module may bind ``name`` in some scope: an assignment
    or deletion target, a ``def``/``class``, a parameter, an import (a star import
    may bind anything), ``global``/``nonlocal``, ``except ... as``, a ``match``
    capture, a type parameter."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            bound = not isinstance(node.ctx, ast.Load) and node.id == name
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = node.name == name
        elif isinstance(node, ast.arg):
            bound = node.arg == name
        elif isinstance(node, ast.alias):
            bound = node.name == "*" or (node.asname or node.name.partition(".")[0]) == name
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound = name in node.names
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) or type(node).__name__ in (
                "TypeVar", "ParamSpec", "TypeVarTuple"):
            bound = getattr(node, "name", None) == name
        elif isinstance(node, ast.MatchMapping):
            bound = node.rest == name
        else:
            bound = False
        if bound:
            return True
    return False


SLEEP_SITES = FilePass("async_sleep.sites", ("async",), blocking_names)
FILE_PASSES = (SLEEP_SITES,)


@dataclass(frozen=True)
class SleepFacts:
    """The files to parse, and those of them where every possibly blocking call is
    the builtin ``open`` (see `blocking_names`)."""

    candidates: Candidates
    open_only: frozenset[str] = frozenset()

    def wants(self, relpath: str) -> bool | None:
        return self.candidates.wants(relpath)


def analyze(project: Any, options: Mapping[str, Any]) -> SleepFacts:
    candidates = from_results(project, SLEEP_SITES, options, lambda _info, found: bool(found))
    open_only = frozenset(
        info.relpath for _path, info, found in project.results(SLEEP_SITES, options) if found == OPEN_ONLY
    )
    return SleepFacts(candidates, open_only)
