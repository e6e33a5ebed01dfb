"""Practice 4: dependencies that are a sync ``def`` doing I/O.

Reads `analysis.request_calls` on the application's modules. The dependencies are
the targets of every ``Depends(...)``/``Security(...)`` written in them (route
parameters, ``Annotated[T, Depends(f)]``, ``dependencies=[Depends(f)]`` on a route,
a router or the app) that resolve, through imports and re-exports, to a function of
the project, to a project class (its ``__init__``) or to an instance of one
(``Depends(Quota(5))``: its ``__call__``). Evidence, for each such function or
method defined with plain ``def``:

- a call in its own body from the table of blocking calls
  (`analysis.blocking_calls`: ``requests.get``, ``psycopg2.connect``, ``open``...);
- a query or commit on a synchronous SQLAlchemy/SQLModel ``Session`` it takes as an
  annotated parameter or opens itself (``db.query(...)``, ``session.execute(...)``).

Not evidence: the standard sync session dependency (``db = SessionLocal(); try:
yield db finally: db.close()``): creating a session does no I/O by itself;
``async def`` dependencies (practice 1 reads those); objects of unknown type used as
dependencies (``Depends(oauth2_scheme)``). Any evidence: FAIL. Dependencies of the project and none: PASS;
I/O through an object of unknown type is not seen. No ``Depends`` target that is a
function of the project: NOT APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis.blocking_calls import BLOCKING_CALLS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS
from fastapi_codemods.audit import request_functions
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

TRANSFORM = None
FILE_PASSES = (REQUEST_CALLS,)
SESSION_ALTERNATIVE = "an `AsyncSession` (`await session.execute(...)`)"


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each I/O call of a sync dependency; see the module."""
    functions = request_functions.RequestFunctions(project, facts)
    dependencies = list(functions.dependencies())
    if not dependencies:
        reason = "no Depends(...) target is a function of the project" if functions.uses_depends \
            else "no Depends(...) dependency found"
        return Outcome(Verdict.NOT_APPLICABLE, reason=reason)
    evidence: list[Evidence] = []
    for path, info, function in dependencies:
        if function.is_async:
            continue
        found = [(call, BLOCKING_CALLS[call.name].alternative) for call in function.blocking]
        found += [(call, SESSION_ALTERNATIVE) for call in function.session_io]
        evidence.extend(functions.evidence(
            path, info.path, call, f"dependency `{function.name}()` is a sync def doing I/O (`{call.name}`): it "
            f"runs in the thread pool; make it async with {alternative}") for call, alternative in found)
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    sync = sum(1 for _path, _info, function in dependencies if not function.is_async)
    return Outcome(Verdict.PASS, reason=f"{len(dependencies)} project dependencies checked ({sync} sync def): "
                                        "none does blocking I/O or queries a sync session")
