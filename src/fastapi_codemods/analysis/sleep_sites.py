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
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.analysis.blocking_calls import BLOCKING_CALLS
from fastapi_codemods.analysis.candidates import Candidates, from_results
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.side_effects import own_nodes, possible_names
from fastapi_codemods.engine.fileinfo import FileInfo

OPTIONS: Mapping[str, Any] = {}


def calls_a_blocking_name(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    """Some ``async def`` calls, in its own body, a name that may resolve to a
    blocking call through an import anywhere in the module (``import_bindings``
    over-approximates libcst's qualified names) or to the builtin ``open``."""
    bindings = import_bindings(tree, info.package)
    for function in nodes_of(tree, ast.AsyncFunctionDef):
        for node in own_nodes(function):
            if isinstance(node, ast.Call) and not BLOCKING_CALLS.keys().isdisjoint(possible_names(node.func, info.module, bindings)):
                return True
    return False


SLEEP_SITES = FilePass("async_sleep.sites", ("async",), calls_a_blocking_name)
FILE_PASSES = (SLEEP_SITES,)


def analyze(project: Any, options: Mapping[str, Any]) -> Candidates:
    return from_results(project, SLEEP_SITES, options, lambda _info, found: bool(found))
