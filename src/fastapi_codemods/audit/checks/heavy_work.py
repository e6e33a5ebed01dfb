"""Practice 3: CPU-heavy work (model inference, image processing) run in the request.

Reads `analysis.request_calls` on the application's modules. Heavy libraries are
``torch``, ``transformers``, ``sentence_transformers``, ``sklearn``, ``tensorflow``,
``keras``, ``onnxruntime``, ``PIL``, ``cv2``, ``pandas``, password hashing
(``passlib``, ``bcrypt``, ``argon2``) and their kin (`request_calls.HEAVY_LIBRARIES`;
numpy alone is not one).

From async code (`audit.async_reach`, as practice 1 reads it: async routes,
dependencies, middleware, background tasks, and the project functions they call up
to eight calls deep), evidence is each heavy call reached, with the path (``async
`login()` (auth.py:20) -> `verify_password()` (security.py:8) ->
`passlib.context.CryptContext(...).verify(...)` (security.py:9)``): it stops the event
loop for every other request.

In each sync route (it still holds a thread-pool thread, and the GIL, for the whole
computation; password hashing and pandas aside, which release the GIL and are what
the thread is for), evidence is:

- a call in its own body resolved into a heavy library (``torch.load``,
  ``pipeline(...)``), but not the cheap ones (``torch.device``, ``torch.no_grad``,
  ``torch.cuda.*``, ``PIL.Image.open`` alone, which reads only the header);
- a call on a name assigned from such a call, in the route or at module level
  (``img = Image.open(f)`` then ``img.resize(...)``; ``model =
  SentenceTransformer(...)`` then ``model.encode(...)``);
- a call of one of the project's own functions that does either in its own body
  (one level deep, at the route's call site).

A function passed to ``run_in_threadpool``, ``asyncio.to_thread``, an executor or a
task queue's ``.delay()`` is not called in the route, so it is not evidence. Any
evidence: FAIL. No evidence but modules the web app imports (its import closure)
import a heavy library: NEEDS ATTENTION, naming them (the routes may reach them through objects the analysis
cannot follow, such as ``request.app.state.model.predict``). Routes and no heavy
library imported: PASS. No route: NOT APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis.program_model import PROGRAM_FACTS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import HASHING_LIBRARIES, REQUEST_CALLS, Call, FunctionCalls
from fastapi_codemods.audit.async_reach import AsyncReach
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

TRANSFORM = None
FILE_PASSES = (REQUEST_CALLS, PROGRAM_FACTS)
ADVICE = "move CPU-heavy work to a process pool or a task queue (or at least `run_in_threadpool`)"
NAMED_MODULES = 5
# What a sync route's thread is for: password hashing and pandas' I/O release the GIL.
SYNC_ROUTE_EXEMPT = HASHING_LIBRARIES | {"pandas"}


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for heavy work in routes, NEEDS ATTENTION for heavy imports elsewhere; see the module."""
    reach = AsyncReach.of(project, facts)
    functions = reach.functions
    if not functions.routes:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no route found")
    evidence: set[Evidence] = set()
    for leaf in reach.leaves():
        if leaf.kind == "heavy":
            evidence.add(functions.evidence(leaf.path, leaf.shown, leaf.call,
                                            f"{leaf.trail()}: CPU work in the event loop: {ADVICE}"))
    for path, info, route in functions.routes:
        if route.is_async:
            continue
        for call in _heavy(route):
            evidence.add(functions.evidence(path, info.path, call,
                                            f"`{route.name}()` runs `{call.name}(...)` in the request: {ADVICE}"))
        for call, helper_info, helper, inner in functions.helper_calls(route, _heavy):
            evidence.add(functions.evidence(
                path, info.path, call, f"`{route.name}()` calls `{helper.name}()`, which runs `{inner.name}(...)` "
                f"({helper_info.path}:{inner.line}) in the request: {ADVICE}"))
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    # Only modules the web app imports (the program model's import closure): a
    # training script or a client library's module is not the server's.
    importing = [(info.path, module.heavy_imports) for _, info, module in functions.modules
                 if module.heavy_imports and reach.model.web_programs_importing(info.module)]
    if importing:
        named = ", ".join(f"{path} ({', '.join(libraries)})" for path, libraries in importing[:NAMED_MODULES])
        more = f" and {len(importing) - NAMED_MODULES} more" if len(importing) > NAMED_MODULES else ""
        return Outcome(Verdict.NEEDS_ATTENTION, reason=(
            f"heavy libraries are imported by {named}{more} but no route calls them directly: check that the "
            "routes reaching them run the work outside the request"))
    return Outcome(Verdict.PASS, reason=f"{len(functions.routes)} routes checked (async ones with the project "
                                        "functions they call, up to 8 calls deep): no model inference, image "
                                        "processing, dataframe or password hashing call, and no heavy library "
                                        "imported")


def _heavy(function: FunctionCalls) -> list[Call]:
    return [call for call in function.heavy if call.name.split(".")[0] not in SYNC_ROUTE_EXEMPT]
