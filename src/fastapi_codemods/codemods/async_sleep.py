"""Rewrite `time.sleep(x)` in `async def` as `await asyncio.sleep(x)`; report the other blocking calls there.

Audit item 1 (async/blocking operations): ``time.sleep`` inside a coroutine stops
the whole event loop, every other request included, for the delay; ``await
asyncio.sleep(x)`` waits as long and lets the loop run the rest. The rewrite is
made only where it keeps what the code does: a call written as a statement of its
own, directly in the ``async def`` body (its ``if``/``for``/``while``/``try``/
``with`` blocks included, not a nested ``def``, ``lambda`` or class, which may run
in a thread), whose name resolves to the stdlib's ``time.sleep`` through the
imports (``import time as t``, ``from time import sleep as nap``), with one
positional argument kept byte for byte. ``asyncio.sleep`` returns ``None`` as
``time.sleep`` does; what changes is what the rewrite is for: other tasks run
during the delay, and the delay can be cancelled.

Refused, with a finding: a call inside an expression (``x = time.sleep(1)``,
``f(time.sleep(1))``), keywords, ``*args`` or a count other than one (the call
raises TypeError as written), a negative literal delay (``time.sleep`` raises
ValueError, ``asyncio.sleep`` returns at once), a ``sleep``/``time`` name that
may also be bound to something else, ``asyncio`` bound to anything but the
module, a sleep inside a sync ``with`` that may hold a thread lock (awaiting there
lets another task of the loop block the loop on that lock), and modules with a
star import (names cannot be resolved) or using trio (no asyncio loop there).
``time.sleep`` passed as a value (``await asyncio.to_thread(time.sleep, 1)``) is
left alone: it runs wherever it is handed. ``import asyncio`` is added unless
present (``from asyncio import sleep`` does not count: the rewrite always reads
``asyncio.sleep``); the ``time`` import goes only when nothing else uses it, and
never from a package's ``__init__.py``, which may re-export it.

The other calls of `fastapi_codemods.analysis.blocking_calls` (``requests.get``,
``subprocess.run``, ``psycopg2.connect``, ``open``...) made in an ``async def``
body are findings naming the async alternative: replacing a client is not a
rewrite that provably keeps behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    ParentNodeProvider,
    QualifiedName,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)
from libcst.metadata.scope_provider import Assignment, GlobalScope, Scope

from fastapi_codemods.analysis import sleep_sites
from fastapi_codemods.analysis.blocking_calls import BLOCKING_CALLS, BlockingCall, blocking_call
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

SLEEP = "time.sleep"
NESTED_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
RESOLVED = (QualifiedNameSource.IMPORT, QualifiedNameSource.BUILTIN)
# Words in a sync context manager that suggest a thread lock (``self._lock``,
# ``mutex``, ``threading.Semaphore()``): the sleep stays where it holds the lock.
LOCK_WORDS = ("lock", "mutex", "semaphore", "condition")
LOCK_MODULES = ("threading.", "multiprocessing.", "_thread.")


def _needles() -> tuple[tuple[re.Pattern[str], ...], ...]:
    """For each blocking call, the words its module and its name put in any file calling
    it (``import time`` or ``from time import ...``, and ``sleep``); ``open(`` for the
    builtin. Whole words: ``openai`` or ``sleepy`` alone do not make a file parsed."""
    needles = set()
    for name in BLOCKING_CALLS:
        root, _, last = name.rpartition(".")
        words = (r"\bopen\s*\(",) if root == "builtins" else (rf"\b{root.split('.')[0]}\b", rf"\b{last}\b")
        needles.add(words)
    return tuple(tuple(re.compile(word) for word in words) for words in sorted(needles))


NEEDLES = _needles()


@dataclass(frozen=True)
class _OwnCall:
    """A call made by an ``async def`` itself, with what surrounds it there."""

    call: cst.Call
    statement: bool
    withs: tuple[cst.With, ...]


def own_calls(body: cst.CSTNode, withs: tuple[cst.With, ...] = ()) -> Iterator[_OwnCall]:
    """The calls of a function body outside nested scopes (they may run in a thread or
    later), each with whether it is a whole expression statement and the sync ``with``
    blocks around it."""
    for child in body.children:
        if isinstance(child, NESTED_SCOPES):
            continue
        if isinstance(child, cst.Call):
            yield _OwnCall(child, isinstance(body, cst.Expr) and body.value is child, withs)
        inner = withs + (child,) if isinstance(child, cst.With) and child.asynchronous is None else withs
        yield from own_calls(child, inner)


class AsyncSleep(Transform):
    PREFILTER = ("async",)
    OPTIONS = sleep_sites.OPTIONS
    FILE_PASSES = sleep_sites.FILE_PASSES

    @classmethod
    def matches_text(cls, text: str) -> bool:
        """An ``async`` keyword and, for some blocking call, its module and its name."""
        return "async" in text and any(all(word.search(text) for word in needle) for needle in NEEDLES)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> sleep_sites.SleepFacts:
        return sleep_sites.analyze(project, options)

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: sleep_sites.SleepFacts | None) -> bool:
        """Only files where an ``async def`` calls a name that may block, as the
        ``ast`` pass found; the (slower) text check only for files it did not see."""
        known = facts.wants(file.relpath) if facts is not None else None
        return cls.matches_text(text) if known is None else known

    def visit_Module(self, node: cst.Module) -> None:
        # Where the only possibly blocking call is the builtin `open` and nothing binds
        # that name, the scope analysis (the costliest part of this transform on a
        # large module) would only confirm what the call's spelling says.
        self.open_only = self.facts is not None and self.file.relpath in self.facts.open_only
        self.module_problem = _module_problem(node)
        self.rewrites: set[cst.Call] = set()
        self.package_init = self.file.relpath.rpartition("/")[2] == "__init__.py"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        for own in own_calls(node.body):
            if self.is_skipped(own.call):
                continue
            names = self.call_names(own.call)
            if any(name.name == SLEEP for name in names):
                self.sleep(node, own, names)
                continue
            found = blocking_call(sorted(name.name for name in names if name.source in RESOLVED))
            if found is not None:
                self.report(own.call, _blocking_message(found, node))

    def call_names(self, call: cst.Call) -> set[QualifiedName]:
        if self.open_only:
            plain_open = isinstance(call.func, cst.Name) and call.func.value == "open"
            return {QualifiedName(sleep_sites.BUILTIN_OPEN, QualifiedNameSource.BUILTIN)} if plain_open else set()
        return self.get_metadata(QualifiedNameProvider, call.func, set())

    def sleep(self, function: cst.FunctionDef, own: _OwnCall, names: set[QualifiedName]) -> None:
        """Rewrite one ``time.sleep`` call, or report the first reason not to."""
        problems = [*self.binding_problems(own.call, names), *_call_problems(own), *self.lock_problems(own)]
        if self.module_problem:
            problems.append(self.module_problem)
        if problems:
            self.report(own.call, f"`time.sleep` in async def `{function.name.value}` not rewritten: {problems[0]}")
            return
        self.rewrites.add(own.call)
        AddImportsVisitor.add_needed_import(self.context, "asyncio")
        if not self.package_init:
            self.schedule_removal(own.call.func)

    def binding_problems(self, call: cst.Call, names: set[QualifiedName]) -> list[str]:
        """Why ``call``'s name or ``asyncio`` may not be what the rewrite assumes here."""
        problems = []
        others = sorted({name.name for name in names if name.name != SLEEP or name.source not in RESOLVED})
        if others:
            problems.append(f"`{self.code(call.func)}` may also be `{others[0]}` here")
        scope = self.get_metadata(ScopeProvider, call, None)
        if not isinstance(scope, Scope):
            problems.append("the call's scope is unknown")
        elif "asyncio" in scope:
            other = next((a for a in scope["asyncio"] if not _imports_asyncio(a.node)), None)
            if other is not None:
                problems.append(f"the name `asyncio` is bound to something else here (line {self.line_of(other.node)})")
        return problems

    def lock_problems(self, own: _OwnCall) -> list[str]:
        return [
            f"it runs inside `with {self.code(item.item)}:`, which may hold a thread lock: awaiting there lets "
            "another task of this event loop block the loop waiting for it"
            for block in own.withs
            for item in block.items
            if self.lock_like(item.item)
        ]

    def lock_like(self, expression: cst.BaseExpression) -> bool:
        """A lock by its name (``self._lock``), by what it is (``threading.Lock()``), or a
        name assigned such a thing (``_guard = threading.RLock()``)."""
        if any(word in self.code(expression).lower() for word in LOCK_WORDS) or self.builds_lock(expression):
            return True
        scope = self.get_metadata(ScopeProvider, expression, None)
        if not isinstance(expression, cst.Name) or not isinstance(scope, Scope):
            return False
        assignments = scope[expression.value] if expression.value in scope else ()
        return any(self.builds_lock(self.assigned_value(a)) for a in assignments if isinstance(a, Assignment))

    def assigned_value(self, assignment: Assignment) -> cst.BaseExpression | None:
        """The value of ``name = value`` for the assignment of ``name``, else None."""
        target = self.get_metadata(ParentNodeProvider, assignment.node, None)
        if not isinstance(target, cst.AssignTarget):
            return None
        statement = self.get_metadata(ParentNodeProvider, target, None)
        return statement.value if isinstance(statement, cst.Assign) else None

    def builds_lock(self, expression: cst.BaseExpression | None) -> bool:
        if not isinstance(expression, cst.Call):
            return False
        names = self.get_metadata(QualifiedNameProvider, expression.func, set())
        return any(name.name.startswith(LOCK_MODULES) for name in names)

    def schedule_removal(self, func: cst.BaseExpression) -> None:
        """Drop the module-level import that brought ``time``/``sleep`` in, once nothing
        else uses it (an import inside a function stays: it may be there on purpose)."""
        root = func.value if isinstance(func, cst.Attribute) else func
        scope = self.get_metadata(ScopeProvider, root, None)
        if not isinstance(root, cst.Name) or not isinstance(scope, Scope) or root.value not in scope:
            return
        if not all(isinstance(assignment.scope, GlobalScope) for assignment in scope[root.value]):
            return
        alias = root.value
        if isinstance(func, cst.Attribute):
            RemoveImportsVisitor.remove_unused_import(self.context, "time", asname=None if alias == "time" else alias)
        else:
            RemoveImportsVisitor.remove_unused_import(
                self.context, "time", "sleep", asname=None if alias == "sleep" else alias
            )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if original_node not in self.rewrites:
            return updated_node
        func = cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("sleep"))
        return cst.Await(expression=updated_node.with_changes(func=func))

    def code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)


def _blocking_message(found: BlockingCall, function: cst.FunctionDef) -> str:
    name = found.name.removeprefix("builtins.")
    return (
        f"blocking call `{name}` in async def `{function.name.value}`: use {found.alternative}, "
        "or make the function a sync `def` if it is an endpoint (FastAPI runs those in a thread pool)"
    )


def _call_problems(own: _OwnCall) -> list[str]:
    """What about the call itself keeps it from becoming ``await asyncio.sleep(...)``."""
    if not own.statement:
        return ["the call is part of an expression, not a statement of its own: rewrite it by hand"]
    args = own.call.args
    if len(args) != 1 or args[0].keyword is not None or args[0].star:
        return ["`time.sleep` takes exactly one positional argument: this call raises TypeError as written"]
    if _negative_literal(args[0].value):
        return ["a negative delay: `time.sleep` raises ValueError, `asyncio.sleep` would return at once"]
    return []


def _negative_literal(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.UnaryOperation)
        and isinstance(value.operator, cst.Minus)
        and isinstance(value.expression, (cst.Integer, cst.Float))
        and value.expression.evaluated_value != 0
    )


def _imports_asyncio(node: cst.CSTNode) -> bool:
    """``import asyncio`` (or ``import asyncio.x``, which binds it too), no alias."""
    return isinstance(node, cst.Import) and any(
        alias.asname is None and cst.Module(body=[]).code_for_node(alias.name).split(".")[0] == "asyncio"
        for alias in node.names
    )


def _module_problem(module: cst.Module) -> str:
    """A module-wide reason to rewrite nothing: a star import, or trio."""
    for statement in _top_level_imports(module.body):
        if isinstance(statement, cst.ImportFrom) and isinstance(statement.names, cst.ImportStar):
            return "the module has a star import, which may rebind `time`, `sleep` or `asyncio`"
        modules = (
            [cst.Module(body=[]).code_for_node(alias.name) for alias in statement.names]
            if isinstance(statement, cst.Import)
            else [cst.Module(body=[]).code_for_node(statement.module)] if statement.module is not None else []
        )
        if any(name.split(".")[0] == "trio" for name in modules):
            return "the module uses trio, where `asyncio.sleep` does not work: use `await trio.sleep(...)`"
    return ""


def _top_level_imports(body: Any) -> Iterator[cst.Import | cst.ImportFrom]:
    """The import statements of a module body, inside module-level ``if``/``try`` too."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from (s for s in statement.body if isinstance(s, (cst.Import, cst.ImportFrom)))
        elif isinstance(statement, (cst.If, cst.Try, cst.TryStar)):
            for block in _blocks(statement):
                yield from _top_level_imports(block.body)


def _blocks(statement: cst.CSTNode) -> Iterator[cst.IndentedBlock]:
    """The suites of an ``if``/``try`` statement: body, handlers, ``else``/``elif``, ``finally``."""
    for child in statement.children:
        if isinstance(child, cst.IndentedBlock):
            yield child
        elif isinstance(child, (cst.If, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
            yield from _blocks(child)
