"""Practice 5: non-critical side effects awaited before the response is sent.

Reuses background_tasks' ``ast`` analysis (`analysis.side_effects`) with the
transform's options (``patterns``, ``calls``, ``exclude``): in the application's
modules, each call an ``async def`` route (decorated ``@X.<method>(...)`` or passed
to ``X.add_api_route``) awaits itself, or passes to ``asyncio.gather`` and the like,
whose name matches a side-effect pattern (``send_email``, ``notify_*``,
``log_audit``, ``publish``...) or is listed under ``calls``. The ones the transform
moves and the ones it refuses (they share the request's session, their result is
used) are both evidence: the response waits for them either way. Any: FAIL. Routes
but none: PASS; a side effect named unlike every pattern is not seen, so the
options are the way to teach the audit a project's own names. No route: NOT
APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import side_effects
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo


def awaited_side_effects(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                         ) -> tuple[bool, tuple[tuple[int, int, str, str], ...]]:
    """(whether the module has an async route, (line, column, excerpt, message) per
    awaited side effect)."""
    routes = side_effects.async_routes(tree)
    if not routes:
        return False, ()
    matcher = side_effects.CallMatcher(options)
    bindings = import_bindings(tree, info.package)
    found = []
    for route in routes:
        for call in side_effects.awaited_side_effects(route, info.module, bindings, matcher):
            called = ast.unparse(call.func)
            found.append((
                call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno),
                f"{route.name}() awaits `{called}(...)` before responding: run it after the response "
                "with BackgroundTasks",
            ))
    return True, tuple(sorted(found))


AWAITED_SIDE_EFFECTS = FilePass("audit.awaited_side_effects", ("async",), awaited_side_effects)
TRANSFORM = "background_tasks"
FILE_PASSES = (AWAITED_SIDE_EFFECTS,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each side effect an async route awaits; see the module."""
    evidence: list[Evidence] = []
    any_route = False
    for _path, info, (has_route, found) in facts.application_results(AWAITED_SIDE_EFFECTS, facts.options[TRANSFORM]):
        any_route = any_route or has_route
        evidence.extend(Evidence(info.path, line, column, excerpt, message) for line, column, excerpt, message in found)
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    if not any_route and not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    return Outcome(Verdict.PASS)
