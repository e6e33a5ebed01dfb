"""Practice 1: sync I/O reached from async code, through the project.

Reads `audit.async_reach`: from each function the event loop runs on a request
(``async def`` routes, sync and WebSocket alike; ``async def`` dependencies; an
``@app.middleware("http")`` or a middleware class's ``dispatch``; exception handlers;
async background tasks) the calls are followed through the project's functions, sync
and async, up to eight calls deep (the program model's call reach; a function passed
to ``run_in_threadpool``, ``asyncio.to_thread``, an executor, a task queue or
``Depends`` is not called there). Evidence, at the call that blocks, with the path
from an entry point (``async `route()` (main.py:9) -> `helper()` (services.py:4) ->
`db.query(...)` (repo.py:7)``):

- a call from the table of blocking calls (`analysis.blocking_calls`: ``time.sleep``,
  ``requests.*``, ``subprocess.run``, ``psycopg2.connect``, ``smtplib.SMTP``, the
  methods of a ``boto3.client``, the builtin ``open``...), under any alias;
- a query or commit (``execute``, ``query``, ``commit``...) on a synchronous
  SQLAlchemy/SQLModel ``Session``: annotated (directly or through an ``Annotated``
  alias from any module), given by a dependency that yields one (``db =
  Depends(get_db)``), returned by a project function (``session = open_session()``)
  or kept as ``self.db`` by a repository class.

Not evidence: a name the function binds itself (a parameter called ``requests``),
``await session.execute(...)`` (an async session whatever the annotation says), a
nested ``def``, sync ``def`` routes and dependencies (FastAPI runs them in the thread
pool), lifespan and startup handlers (they run once). Any evidence: FAIL. Routes but
none: PASS; a method of an object of unknown type (``client.get``) is not seen. No
route: NOT APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis.program_model import PROGRAM_FACTS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS
from fastapi_codemods.audit.async_reach import AsyncReach, Leaf
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

TRANSFORM = None
FILE_PASSES = (REQUEST_CALLS, PROGRAM_FACTS)
SESSION_ADVICE = ("use an `AsyncSession` (`await session.execute(...)`), or declare the entry point `def` so it "
                  "runs in the thread pool")


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each blocking call or sync session query async code reaches; see the module."""
    reach = AsyncReach.of(project, facts)
    if not reach.functions.routes:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no route found")
    leaves = [leaf for leaf in reach.leaves() if leaf.kind != "heavy"]
    if leaves:
        return Outcome(Verdict.FAIL, tuple(sorted({evidence(reach, leaf) for leaf in leaves})))
    counts = {kind: len(found) for kind, found in reach.entries.items()}
    return Outcome(Verdict.PASS, reason=(
        f"{counts['route']} async routes, {counts['dependency']} async dependencies and {counts['other']} other "
        "async entry points (middleware, handlers, background tasks) checked, with the project functions they "
        "call up to 8 calls deep: no blocking call or sync session query reached"))


def evidence(reach: AsyncReach, leaf: Leaf) -> Evidence:
    if leaf.kind == "session":
        what = f"a query on a synchronous database session blocks the event loop: {SESSION_ADVICE}"
    else:
        what = f"blocks the event loop: use {leaf.alternative}"
    return reach.functions.evidence(leaf.path, leaf.shown, leaf.call, f"{leaf.trail()}: {what}")
