"""Practice 5: non-critical side effects awaited before the response is sent.

Reuses background_tasks' ``ast`` analysis (`analysis.side_effects`) with the
transform's options (``patterns``, ``calls``, ``exclude``): in the application's
modules, each call an ``async def`` HTTP route (decorated ``@X.<method>(...)`` or
passed to ``X.add_api_route``) awaits as a statement of its own, or passes to an
``asyncio.gather`` (and the like) awaited as a statement, whose name matches a
side-effect pattern (``send_email``, ``notify_*``, ``log_audit``, ``publish``...)
or is listed under ``calls``. The ones the transform moves and the ones it refuses
(they share the request's session) are both evidence: the response waits for them
either way. Not evidence: a call whose result the route uses (``x = await
publish_dataset(...)``, ``return await send_email(...)``): its result is part of the
response; and anything in a WebSocket route (a ``@X.websocket`` route or one taking
a ``WebSocket``), where ``send_text`` is the response itself.

The name is all the audit knows of what a call does, so the message says so: a
``publish`` that is the route's very purpose is for the reviewer to keep. Any: FAIL.
Routes but none: PASS; a side effect named unlike every pattern is not seen, and the
options teach the audit a project's own names. No route: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import routes, side_effects
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
    async_routes = side_effects.async_routes(tree)
    if not async_routes:
        return False, ()
    matcher = side_effects.CallMatcher(options)
    bindings = import_bindings(tree, info.package)
    found = []
    for route in async_routes:
        if routes.is_websocket_route(route):
            continue
        unused = _results_unused(route)
        for call in side_effects.awaited_side_effects(route, info.module, bindings, matcher):
            if id(call) not in unused:
                continue
            called = ast.unparse(call.func)
            found.append((
                call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno),
                f"{route.name}() awaits `{called}(...)`, a side effect by its name, before responding: "
                "if the response need not wait for it, run it with BackgroundTasks",
            ))
    return True, tuple(sorted(found))


def _results_unused(route: ast.AsyncFunctionDef) -> set[int]:
    """Ids of the calls awaited as statements of their own, and of the calls inside
    such an awaited call's arguments (``await asyncio.gather(notify(), audit())``)."""
    unused: set[int] = set()
    for node in ast.walk(route):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Await) and isinstance(node.value.value, ast.Call):
            call = node.value.value
            unused.add(id(call))
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                unused.update(id(inner) for inner in ast.walk(argument) if isinstance(inner, ast.Call))
    return unused


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
