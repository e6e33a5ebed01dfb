"""What the event loop runs: the project functions reached from async code, for practices 1 to 4.

The **entry points** are the ``async def`` functions the web app runs in its event
loop on a request: routes, ``Depends(...)`` targets, and the program model's other
web roots (``@app.middleware("http")``, middleware classes' ``dispatch``, exception
handlers, ``background_tasks.add_task(f)`` of an async ``f``); not lifespan, startup
and shutdown handlers, which run once. From them the **reach** follows the program
model's calls (`program_model.ProgramModel.calls_of`: module functions, imported
names, ``self.`` methods, methods of a local bound to a class, ``Class(...).method``)
through sync and async functions alike, up to `MAX_DEPTH` calls deep, but not into
a function only passed to a thread, a process, a task queue or ``Depends`` (the
model's ``offloaded_of``): a sync function called from async code runs in the event
loop; one handed to ``run_in_threadpool`` does not.

In each reached function the **leaves** are `request_calls`' blocking calls, heavy
CPU calls and sync session I/O. A session is known in its own module (a parameter
annotated ``Session``, ``SessionLocal()`` of a module-level ``sessionmaker``) or
decided here, across modules: ``db = Depends(get_db)`` where ``get_db`` yields a
session, ``session = open_session()`` where that returns one, an ``Annotated`` alias
imported from another module (``SessionDep``), ``self.db`` set from one of those in
``__init__``. Each leaf carries the path from the first entry point reaching it
(breadth first: a shortest one), for the evidence message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fastapi_codemods.analysis.blocking_calls import blocking_entry
from fastapi_codemods.analysis.program_model import OFFLOADERS, ProgramModel
from fastapi_codemods.analysis.request_calls import SESSION, Call, FunctionCalls
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.request_functions import RequestFunctions
from fastapi_codemods.engine.fileinfo import FileInfo

MAX_DEPTH = 8
# ``task.delay(...)``, ``actor.send(...)``: the task runs in a worker, not here.
QUEUED = OFFLOADERS | {"kiq", "send", "send_with_options", "apply"}
MAX_SOURCE_HOPS = 6
SESSION_ALTERNATIVE = "an `AsyncSession` (`await session.execute(...)`)"


@dataclass(frozen=True)
class Leaf:
    """One blocking, session or heavy call in a reached function, and how it is reached."""

    kind: str  # "blocking", "session" or "heavy"
    path: Path
    shown: str
    relpath: str
    function: FunctionCalls
    call: Call
    hops: tuple[tuple[str, str, int], ...]  # (function name, relpath, definition line), entry point first

    def trail(self) -> str:
        """``async `items()` (main.py:12) -> `load()` (services.py:5) -> `db.query(...)` (repo.py:9)``."""
        steps = [f"`{name}()` ({relpath}:{line})" for name, relpath, line in self.hops]
        return f"async {' -> '.join(steps)} -> `{self.call.name}(...)` ({self.relpath}:{self.call.line})"

    @property
    def alternative(self) -> str:
        if self.kind == "session":
            return SESSION_ALTERNATIVE
        entry = blocking_entry(self.call.name)
        return entry.alternative if entry is not None else ""


class AsyncReach:
    """The entry points of one root and the leaves their reach holds."""

    def __init__(self, functions: RequestFunctions, model: ProgramModel) -> None:
        self.functions = functions
        self.model = model
        self.sources = {name: source for _, _, module in functions.modules for name, source in module.session_sources}
        self._session: dict[str, bool] = {}
        routes = [(path, info, f) for path, info, f in functions.routes if f.is_async]
        dependencies = [(path, info, f) for path, info, f in functions.dependencies() if f.is_async]
        named = {f.qualified for _, _, f in [*routes, *dependencies]}
        others = [found for found in self._web_roots() if found[2].qualified not in named]
        self.entries = {"route": routes, "dependency": dependencies, "other": others}

    @classmethod
    def of(cls, project, facts: AuditFacts) -> AsyncReach:  # noqa: ANN001
        found = project.shared.get("async_reach")
        if found is None:
            found = project.shared["async_reach"] = cls(RequestFunctions(project, facts), ProgramModel.of(project))
        return found

    def _web_roots(self) -> list[tuple[Path, FileInfo, FunctionCalls]]:
        startup = {self.model.resolve(name) for name in self.model.startup}
        found = []
        seen: set[str] = set()
        for facts in self.model.facts.values():
            for name in facts.web_roots:
                resolved = self.model.resolve(name)
                if resolved is None or resolved in startup:
                    continue
                candidates = [resolved]
                if self._is_class(resolved):  # a middleware class: what runs per request
                    candidates = [f"{resolved}.dispatch", f"{resolved}.__call__"]
                for candidate in candidates:
                    summary = self._summary(candidate)
                    if summary is not None and summary[2].is_async and candidate not in seen:
                        seen.add(candidate)
                        found.append(summary)
        return sorted(found, key=lambda item: (item[1].relpath, item[2].line))

    # -- the reach ---------------------------------------------------------

    def _summary(self, qualified: str) -> tuple[Path, FileInfo, FunctionCalls] | None:
        found = self.functions.index.functions.get(qualified)
        if found is None:
            return None
        info, function = found
        return self.functions.paths[info.relpath], info, function

    def _is_class(self, name: str) -> bool:
        module, scope = self.model._split(name)
        return module is not None and scope in self.model.facts[module].classes

    def _next(self, function: FunctionCalls) -> Iterable[str]:
        if function.top_level:
            names = self.model.calls_of.get(function.qualified, ())
            offloaded = self.model.offloaded_of.get(function.qualified, frozenset())
        else:  # a route nested in a factory function: its own calls
            names, offloaded = tuple(call.name for call in function.calls), frozenset()
        for name in names:
            if name in offloaded:
                continue
            resolved = self.model.resolve(name)
            if resolved is None or resolved != name and name.rpartition(".")[2] in QUEUED:
                continue  # unknown, or a method of a task object (``notify.delay(...)``)
            yield f"{resolved}.__init__" if self._is_class(resolved) else resolved

    def leaves(self, kinds: Iterable[str] = ("route", "dependency", "other")) -> list[Leaf]:
        """The leaves reached from the entry points of ``kinds``, one per call, in file order."""
        parents: dict[str, str | None] = {}
        located: dict[str, tuple[Path, FileInfo, FunctionCalls]] = {}
        pending: deque[tuple[str, int]] = deque()
        for kind in kinds:
            for path, info, function in self.entries[kind]:
                if function.qualified not in parents:
                    parents[function.qualified] = None
                    located[function.qualified] = (path, info, function)
                    pending.append((function.qualified, 0))
        while pending:
            name, depth = pending.popleft()
            if depth >= MAX_DEPTH:
                continue
            for following in self._next(located[name][2]):
                if following in parents:
                    continue
                summary = self._summary(following)
                if summary is None:
                    continue
                parents[following] = name
                located[following] = summary
                pending.append((following, depth + 1))
        found = []
        for name, (path, info, function) in located.items():
            calls = [("blocking", call) for call in function.blocking]
            calls += [("session", call) for call in self.session_io(function)]
            calls += [("heavy", call) for call in function.heavy]
            if not calls:
                continue
            hops = []
            current: str | None = name
            while current is not None:
                _path, hop_info, hop = located[current]
                hops.append((hop.name, hop_info.relpath, hop.line))
                current = parents[current]
            hops.reverse()
            found.extend(Leaf(kind, path, info.path, info.relpath, function, call, tuple(hops)) for kind, call in calls)
        return sorted(found, key=lambda leaf: (leaf.shown, leaf.call.line, leaf.call.column, leaf.kind))

    # -- sessions ------------------------------------------------------------

    def session_io(self, function: FunctionCalls) -> list[Call]:
        """The function's sync session I/O, with what other modules decide."""
        return [*function.session_io, *(call for call, source in function.pending_session if self.is_session(source))]

    def is_session(self, source: str, hops: int = 0) -> bool:
        if source == SESSION:
            return True
        if source in self._session:
            return self._session[source]
        self._session[source] = False  # a cycle is no session
        found = hops < MAX_SOURCE_HOPS and self._decide(source, hops)
        self._session[source] = found
        return found

    def _decide(self, source: str, hops: int) -> bool:
        kind, _, name = source.partition(":")
        canonical = self._canonical(name)
        if canonical in self.sources:
            return self.is_session(self.sources[canonical], hops + 1)
        if kind == "alias":
            return False
        resolved = self.model.resolve(name)
        summary = self._summary(resolved) if resolved is not None else None
        return summary is not None and any(self.is_session(key, hops + 1) for key in summary[2].returns)

    def _canonical(self, name: str) -> str:
        """``name`` with the project's re-exports followed (``from .db import SessionLocal``)."""
        index = self.functions.index
        for _ in range(MAX_SOURCE_HOPS):
            if name in self.sources:
                return name
            target = index._reexported(name)
            if target is None or target == name:
                return name
            name = target
        return name
