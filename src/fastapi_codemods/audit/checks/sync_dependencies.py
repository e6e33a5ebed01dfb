"""Practice 4: dependencies follow the same rules as routes.

An ``async def`` dependency runs in the event loop like an ``async def`` route; a
sync ``def`` dependency runs in the thread pool, FastAPI's documented pattern for
blocking work. The dependencies are the targets of every
``Depends(...)``/``Security(...)`` written in the application (route parameters,
``Annotated[T, Depends(f)]``, ``dependencies=[Depends(f)]`` on a route, a router or
the app) that resolve, through imports and re-exports, to a function of the
project, to a project class (its ``__init__``) or to an instance of one
(``Depends(Quota(5))``: its ``__call__``).

Evidence (`audit.async_reach`, as practice 1 reads it): a blocking call or a query on
a synchronous session that an ``async def`` dependency reaches, in its own body or
through the project functions it calls (up to eight calls deep), with the path.

Not evidence: a sync ``def`` dependency doing I/O (``db.query(...)``,
``requests.get(...)``): it runs in the thread pool, and the PASS says how many do;
the standard session dependency (``db = SessionLocal(); try: yield db``). Any
evidence: FAIL. Dependencies of the project and none: PASS. No ``Depends`` target
that is a function of the project: NOT APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis.program_model import PROGRAM_FACTS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS
from fastapi_codemods.audit.async_reach import AsyncReach
from fastapi_codemods.audit.checks.blocking import evidence
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Outcome, Verdict

TRANSFORM = None
FILE_PASSES = (REQUEST_CALLS, PROGRAM_FACTS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each blocking call an async dependency reaches; see the module."""
    reach = AsyncReach.of(project, facts)
    functions = reach.functions
    dependencies = list(functions.dependencies())
    if not dependencies:
        reason = "no Depends(...) target is a function of the project" if functions.uses_depends \
            else "no Depends(...) dependency found"
        return Outcome(Verdict.NOT_APPLICABLE, reason=reason)
    leaves = [leaf for leaf in reach.leaves(("dependency",)) if leaf.kind != "heavy"]
    if leaves:
        return Outcome(Verdict.FAIL, tuple(sorted({evidence(reach, leaf) for leaf in leaves})))
    sync = [function for _path, _info, function in dependencies if not function.is_async]
    doing_io = sum(1 for function in sync if function.blocking or reach.session_io(function))
    return Outcome(Verdict.PASS, reason=(
        f"{len(dependencies)} project dependencies checked: {len(dependencies) - len(sync)} async def reach no "
        f"blocking call or sync session query; {len(sync)} are sync def ({doing_io} doing I/O), which FastAPI "
        "runs in the thread pool"))
