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

Not evidence either: a hand-off to a queue or broker (``await queue.enqueue(...)``,
``publish``, ``send_task``, ``.delay``, ``apply_async``, ``lpush``/``rpush``,
``xadd``, ``kiq``): the call is already the cheap hand-off, the work runs elsewhere;
and a call that writes with the request's session (an argument or receiver that is
a parameter from a ``yield`` dependency of the project or typed ``...Session``, or a
value built from one): a notification row in the request's transaction belongs to
the request.

Each piece of evidence says whether background_tasks would move it (its ``fix``
is then ``background_tasks``) or why a person must (`analysis.background_moves`:
the transform's own rules on its own project facts): the report prints the command
for the sites it fixes only.

The name is all the audit knows of what a call does, so the message says so: a
``publish`` that is the route's very purpose is for the reviewer to keep. Any: FAIL.
Routes but none: PASS; a side effect named unlike every pattern is not seen, and the
options teach the audit a project's own names. No route: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi_codemods.analysis import background_moves, routes, side_effects
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES, ROUTER_CLASSES
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
            if id(call) not in unused or is_hand_off(call.func):
                continue
            called = ast.unparse(call.func)
            found.append((
                call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno),
                f"{route.name}() awaits `{called}(...)`, a side effect by its name, before responding: "
                "if the response need not wait for it, run it with BackgroundTasks",
            ))
    return True, tuple(sorted(found))


HAND_OFFS = ("enqueue", "publish", "send_task", "delay", "apply_async", "lpush", "rpush", "xadd", "kiq")


def is_hand_off(func: ast.expr) -> bool:
    """A call that hands work to a queue or broker (``queue.enqueue``, ``task.delay``)."""
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return last.lower().startswith(HAND_OFFS)


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
# background_tasks' project facts (every file) are read only when some route awaits
# a side effect: most projects have none, and the pass costs 12 % of the audit's CPU.
FILE_PASSES = (AWAITED_SIDE_EFFECTS,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each side effect an async route awaits; see the module."""
    options = facts.options[TRANSFORM]
    evidence: list[Evidence] = []
    any_route = False
    in_request = 0
    found_in: list[tuple[Path, FileInfo, tuple]] = []
    for path, info, (has_route, found) in facts.application_results(AWAITED_SIDE_EFFECTS, options):
        any_route = any_route or has_route
        if found:
            found_in.append((path, info, found))
    if found_in:
        facts.ensure(side_effects.MODULE_FACTS, options)
        project_facts = side_effects.analyze(project, options)
        for path, info, found in found_in:
            decided = _decisions(project, path, info, project_facts, options)
            for line, column, excerpt, message in found:
                reason, session = decided.get((line, column), ("the audit could not read the route again", False))
                if session:
                    in_request += 1
                    continue
                if reason is None:
                    evidence.append(Evidence(info.path, line, column, excerpt,
                                             message + "; background_tasks moves it", fix=TRANSFORM))
                else:
                    evidence.append(Evidence(info.path, line, column, excerpt,
                                             message + f"; needs a person: {reason}"))
    aside = (f"; {in_request} awaited call(s) write with the request's session and belong to the request"
             if in_request else "")
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence), reason=aside.removeprefix("; ") or None,
                       fixes=sum(1 for item in evidence if item.fix))
    if not any_route and not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    return Outcome(Verdict.PASS, reason="no async route awaits a call named like a notification, audit or "
                                        "analytics side effect before responding (hand-offs to a queue aside)" + aside)


def _decisions(project: Project, path: Path, info: FileInfo, project_facts: side_effects.BackgroundFacts,
               options: Mapping[str, Any]) -> dict[tuple[int, int], tuple[str | None, bool]]:
    """(line, column) of each matching call of the file's async routes -> (the
    transform's refusal reason or None, whether it writes with the request's session)."""
    tree = project.tree(path)
    if tree is None:
        return {}
    bindings = import_bindings(tree, info.package)
    built_here = side_effects._app_and_router_names(tree, info.module, bindings)

    def is_router(decorator: ast.expr) -> bool:
        if not routes.is_route_decorator(decorator):
            return False
        owner = decorator.func.value.id  # type: ignore[attr-defined]
        return owner in built_here or bool(
            side_effects._possible_names_of(owner, "", info.module, bindings) & project_facts.routers)

    matcher = side_effects.CallMatcher(options)
    found: dict[tuple[int, int], tuple[str | None, bool]] = {}
    for function in side_effects.async_routes(tree):
        route = background_moves.Route(function, info.module, bindings, project_facts, matcher, is_router)
        for call, reason in route.decisions():
            found.setdefault((call.lineno, call.col_offset + 1), (reason, route.writes_with_session(call)))
    return found
