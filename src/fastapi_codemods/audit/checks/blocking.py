"""Practice 1: blocking calls inside ``async def`` endpoints and their dependencies.

Reads `analysis.request_calls` on the application's modules (test code, test
helpers and documentation snippets aside). For each ``async def`` route (sync and
WebSocket routes alike: decorated ``@X.<method>(...)`` or passed to
``X.add_api_route``) and each ``async def`` function of the project that some
``Depends(...)``/``Security(...)`` names, evidence is:

- a call in its own body (not in a nested function, class or lambda) that resolves
  through the imports to the table of blocking calls (`analysis.blocking_calls`:
  ``time.sleep``, ``requests.*``, ``urllib.request.urlopen``, ``subprocess.run``,
  ``psycopg2.connect``, ``pymongo.MongoClient``, ``sqlite3.connect``, the builtin
  ``open``...), under any alias (``from time import sleep as nap``);
- a query or commit (``execute``, ``query``, ``commit``...) on a synchronous
  SQLAlchemy/SQLModel ``Session`` it takes as an annotated parameter or opens itself;
- a call of one of the project's own functions (same module, or imported from a
  project module, through re-exports) whose own body makes such a call: one level
  deep, at the route's call site, naming the helper and where it blocks.

Not evidence: a name the function binds itself (a parameter or variable called
``requests`` or ``open``), ``asyncio.sleep``, a function passed to
``run_in_threadpool``/``asyncio.to_thread``/``run_in_executor`` (passed, not
called), a nested ``def`` (it runs when called, maybe in a thread), and every sync
``def`` route: FastAPI runs those in the thread pool. Any evidence: FAIL. Routes
but none: PASS; a method of an object of unknown type (``client.get``) is not
seen. No route: NOT APPLICABLE.
"""

from __future__ import annotations

from pathlib import Path

from fastapi_codemods.analysis.blocking_calls import BLOCKING_CALLS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS, Call, FunctionCalls
from fastapi_codemods.audit import request_functions
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

TRANSFORM = None
FILE_PASSES = (REQUEST_CALLS,)
SESSION_ADVICE = ("use an `AsyncSession` (`await session.execute(...)`), or declare the function `def` so it "
                  "runs in the thread pool")


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each blocking call an async route or dependency makes; see the module."""
    functions = request_functions.RequestFunctions(project, facts)
    if not functions.routes:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no route found")
    evidence: set[Evidence] = set()
    for path, info, function in functions.routes:
        if function.is_async:
            evidence.update(_evidence(functions, path, info.path, function, f"`{function.name}()`"))
    for path, info, function in functions.dependencies():
        if function.is_async:
            evidence.update(_evidence(functions, path, info.path, function, f"dependency `{function.name}()`"))
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    routes = sum(1 for _path, _info, function in functions.routes if function.is_async)
    dependencies = sum(1 for _path, _info, function in functions.dependencies() if function.is_async)
    return Outcome(Verdict.PASS, reason=f"{routes} async routes and {dependencies} async dependencies checked "
                                        "(and the project helpers they call, one level deep): no blocking call "
                                        "or sync session query found")


def _evidence(functions: request_functions.RequestFunctions, path: Path, shown: str, function: FunctionCalls,
              who: str) -> list[Evidence]:
    found = []
    for call in function.blocking:
        found.append(functions.evidence(path, shown, call, f"{who} calls `{call.name}(...)`, which blocks the event "
                                        f"loop: use {BLOCKING_CALLS[call.name].alternative}"))
    for call in function.session_io:
        found.append(functions.evidence(path, shown, call, f"{who} calls `{call.name}(...)` on a synchronous "
                                        f"database session, which blocks the event loop: {SESSION_ADVICE}"))
    for call, helper_info, helper, inner in functions.helper_calls(function, _blocks):
        where = f"{helper_info.path}:{inner.line}"
        advice = f"use {_alternative(inner)} in it" if helper.is_async \
            else f"call it with `await run_in_threadpool({helper.name}, ...)`, or use {_alternative(inner)} in it"
        found.append(functions.evidence(path, shown, call, f"{who} calls `{helper.name}()`, which calls "
                                        f"`{inner.name}(...)` ({where}) and blocks the event loop: {advice}"))
    return found


def _alternative(call: Call) -> str:
    """What to use instead of a blocking call or a sync session's query."""
    entry = BLOCKING_CALLS.get(call.name)
    return entry.alternative if entry is not None else "an `AsyncSession` (`await session.execute(...)`)"


def _blocks(function: FunctionCalls) -> list[Call]:
    return [*function.blocking, *function.session_io]
