"""Practice 12: start-up and shutdown code in event handlers instead of a lifespan.

In the application's modules: a decorator ``@X.on_event(...)`` and a call
``X.add_event_handler(...)``, whatever ``X`` is (an app or a router; both are
deprecated in favour of ``FastAPI(lifespan=...)``). Any: FAIL. A ``FastAPI(...)``
app and none: PASS. No app: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

NEEDLES = ("on_event", "add_event_handler")


def event_handlers(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                   ) -> tuple[tuple[int, int, str, str], ...]:
    """(line, column, excerpt, method) of each ``.on_event(...)`` decorator and
    ``.add_event_handler(...)`` call."""
    found = []
    for call in nodes_of(tree, ast.Call):
        if isinstance(call.func, ast.Attribute) and call.func.attr in NEEDLES:
            found.append((call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), call.func.attr))
    return tuple(sorted(found))


EVENT_HANDLERS = FilePass("audit.event_handlers", NEEDLES, event_handlers)
TRANSFORM = None
FILE_PASSES = (EVENT_HANDLERS,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each deprecated event handler registration; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    evidence = [
        Evidence(info.path, line, column, excerpt, f"{method}() is deprecated: move this code into a lifespan")
        for _path, info, found in facts.application_results(EVENT_HANDLERS)
        for line, column, excerpt, method in found
    ]
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    return Outcome(Verdict.PASS, reason="no on_event() or add_event_handler() registration in the application")
