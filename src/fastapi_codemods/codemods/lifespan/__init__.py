"""Move an app's @app.on_event("startup"/"shutdown") handlers into one lifespan context manager.

Audit item 12 and FastAPI's "Lifespan Events" docs: ``on_event`` and
``add_event_handler`` are deprecated (FastAPI 0.104). The handlers of one
module-level ``app = FastAPI(...)`` become one ``@asynccontextmanager async def
lifespan(app: FastAPI)``, written just before the app statement and passed as
``lifespan=lifespan``; the decorators and ``add_event_handler`` statements go, the
handler functions stay (others may call them). The lifespan calls them by their
module-level names, which resolve when it runs, at start-up.

What it keeps, read in FastAPI 0.165 / Starlette 1.10 (Starlette 1.0 dropped
on_startup; FastAPI keeps it): ``fastapi/routing.py`` ``APIRouter.add_event_handler``
appends to ``on_startup``/``on_shutdown`` in registration order; ``_DefaultLifespan``
(used only when ``lifespan`` is None, so a lifespan makes FastAPI ignore every
on_event handler) runs ``APIRouter._startup`` in ``__aenter__`` and ``_shutdown`` in
``__aexit__``; each awaits a handler when ``is_async_callable`` and calls it
directly otherwise, in order, and the first exception stops the rest and propagates.
``starlette/routing.py`` ``Router.lifespan`` enters the context (``async with``):
a failing start-up never reaches ``__aexit__`` (no shutdown handler runs, the
server gets ``lifespan.startup.failed``); after a successful start-up ``__aexit__``
runs whatever ended the run (normal shutdown or an exception, cancellation
included), and a failing shutdown handler skips the rest and sends
``lifespan.shutdown.failed``. Hence: startup calls before the ``yield``, shutdown
calls in a ``finally`` around it, no other try. ``include_router`` copies a router's
handlers into the app *and* merges the router's own default lifespan, so under
on_event they run twice and under a lifespan once: routers with handlers block
the rewrite (see `fastapi_codemods.analysis.event_handlers`).

Refused, with a finding at each registration, when the app already passes
``lifespan=``, ``on_startup=``, ``on_shutdown=``, ``*args`` or ``**kwargs``; the app
is not a plain module-level ``name = FastAPI(...)``; the event name is not the
literal "startup" or "shutdown"; the handler is not a module-level function defined
once in this module, undecorated but for ``on_event`` (a decorator may change
whether it is a coroutine function), with no parameters; a registration is nested
(an app factory, an ``if``); and when anything else in the module or the root may
register handlers on an app or touch its lifespan (a router, an imported app, a
parameter, ``app.router.on_startup``/``lifespan_context``). All of one app's
handlers move together or none: a handler left on ``on_event`` next to a lifespan
would never run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import ParentNodeProvider, ScopeProvider
from libcst.metadata.scope_provider import GlobalScope

from fastapi_codemods.analysis import event_handlers
from fastapi_codemods.analysis.event_handlers import EVENTS, EventFacts
from fastapi_codemods.analysis.fastapi_names import ROUTER_CLASSES
from fastapi_codemods.codemods.lifespan._build import Handler, lifespan_function, with_keyword
from fastapi_codemods.cst.fastapi import app_and_router_targets, bound_to, is_app_construction, resolves_to
from fastapi_codemods.cst.parent_map import descendants
from fastapi_codemods.cst.statements import single_assignments
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

TAKEN_BY_APP_CALL = ("lifespan", "on_startup", "on_shutdown")
ALL_OR_NONE = "all of this app's handlers move together, and a handler left on on_event next to a lifespan never runs"


@dataclass
class _Registration:
    """One ``on_event`` decorator or ``add_event_handler`` statement of an app."""

    node: cst.CSTNode
    statement: cst.CSTNode
    event: str = ""
    handler: Handler | None = None
    problem: str = ""


@dataclass
class _App:
    name: cst.Name
    statement: cst.SimpleStatementLine
    call: cst.Call
    registrations: list[_Registration] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Lifespan(Transform):
    PREFILTER = event_handlers.NEEDLES
    FILE_PASSES = event_handlers.FILE_PASSES
    OPTIONS = event_handlers.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    facts: EventFacts | None

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> EventFacts:
        return event_handlers.analyze(project, options)

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: EventFacts | None) -> bool:
        """Only modules that register event handlers (decided by the project analysis)."""
        known = facts.candidates.wants(file.relpath) if facts is not None and facts.candidates else None
        return cls.matches_text(text) if known is None else known

    # -- planning -------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        self._plans: dict[cst.CSTNode, tuple[_App, cst.FunctionDef]] = {}
        self._removed: set[cst.CSTNode] = set()
        self._undecorate: set[cst.CSTNode] = set()
        scope = self.get_metadata(ScopeProvider, node.body[0], None) if node.body else None
        if not isinstance(scope, GlobalScope):
            return False
        self._scope = scope
        apps = self._apps(node)
        self._routers = {
            target for target in app_and_router_targets(self, node) if not self._builds_app(target)
        }
        module_problems = self._collect(node, apps)
        decorator = self._decorator_name(node)
        used = {n.value for n in descendants(node) if type(n) is cst.Name}
        for app in apps.values():
            if not app.registrations or any(self.is_skipped(r.node) for r in app.registrations):
                continue
            problems = [*app.problems, *module_problems, *self._foreign()]
            if decorator is None:
                problems.append("the name asynccontextmanager is taken in this module by something else")
            if problems:
                for registration in app.registrations:
                    self.report(registration.node, f"left unchanged: {problems[0]}")
                continue
            broken = [r for r in app.registrations if r.problem]
            if broken:
                first = self.line_of(broken[0].node)
                for registration in app.registrations:
                    reason = registration.problem or f"the handler registered at line {first} cannot move"
                    self.report(registration.node, f"left unchanged: {reason}; {ALL_OR_NONE}")
                continue
            self._plan(node, app, decorator, used)
        return False

    def _apps(self, module: cst.Module) -> dict[cst.CSTNode, _App]:
        """Module-level ``name = FastAPI(...)`` statements, by their target node."""
        apps: dict[cst.CSTNode, _App] = {}
        for statement, target, value in single_assignments(module):
            if isinstance(target, cst.Name) and is_app_construction(self, value):
                assert isinstance(value, cst.Call)
                app = _App(target, statement, value)
                app.problems.extend(self._call_problems(value))
                if len(self._scope.assignments[target.value]) != 1:
                    app.problems.append(f"`{target.value}` is assigned more than once in this module")
                apps[target] = app
        return apps

    def _call_problems(self, call: cst.Call) -> list[str]:
        problems = []
        for arg in call.args:
            if arg.star:
                problems.append(f"the app is built with {arg.star}arguments, which may already set lifespan")
            elif arg.keyword is not None and arg.keyword.value in TAKEN_BY_APP_CALL:
                keyword = arg.keyword.value
                problems.append(
                    "the app already passes lifespan=: FastAPI ignores on_event handlers then, so this one never runs"
                    if keyword == "lifespan"
                    else f"the app already passes {keyword}=: merge those handlers by hand"
                )
        return problems

    def _collect(self, module: cst.Module, apps: dict[cst.CSTNode, _App]) -> list[str]:
        """Give each registration to its app; return what blocks every app of the module."""
        targets = set(apps)
        problems: list[str] = []
        for node in descendants(module):
            if type(node) is cst.Attribute and self._touches_lifespan(node):
                problems.append(f"line {self.line_of(node)} uses {module.code_for_node(node)}")
            if type(node) is not cst.Call:
                continue
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in ("on_startup", "on_shutdown"):
                    if not any(node is app.call for app in apps.values()):
                        problems.append(f"line {self.line_of(node)} passes {arg.keyword.value}=")
            func = node.func
            if not isinstance(func, cst.Attribute) or func.attr.value not in event_handlers.REGISTRATIONS:
                continue
            owner = func.value
            # ``app.router.on_event`` is the same list: FastAPI's own methods delegate to it.
            if isinstance(owner, cst.Attribute) and owner.attr.value == "router":
                owner = owner.value
            app = next((apps[t] for t in targets if isinstance(owner, cst.Name) and bound_to(self, owner, {t})), None)
            if app is None:
                if not self._looks_like_events(node):
                    continue
                what = self._receiver(module, func.value)
                self.report(node, f"left unchanged: {what}")
                problems.append(f"line {self.line_of(node)}: {what}")
                continue
            app.registrations.append(self._registration(node))
        return problems

    def _looks_like_events(self, call: cst.Call) -> bool:
        """A router's registration, or one naming "startup"/"shutdown" (other
        classes have ``on_event`` methods too)."""
        owner = call.func.value  # type: ignore[attr-defined]
        if resolves_to(self, owner, ROUTER_CLASSES) or self._is_router(owner):
            return True
        first = call.args[0].value if call.args else None
        return isinstance(first, cst.SimpleString) and first.evaluated_value in EVENTS

    @staticmethod
    def _touches_lifespan(node: cst.Attribute) -> bool:
        name = node.attr.value
        if name == "lifespan_context":
            return True
        owner = node.value
        return (
            name in event_handlers.ROUTER_ATTRIBUTES
            and isinstance(owner, cst.Attribute)
            and owner.attr.value == "router"
        )

    def _receiver(self, module: cst.Module, owner: cst.BaseExpression) -> str:
        text = module.code_for_node(owner)
        if resolves_to(self, owner, ROUTER_CLASSES) or self._is_router(owner):
            return (
                f"handlers registered on the router `{text}`: include_router copies them into the app, which "
                "runs them twice under on_event and once under a lifespan; move them into the app's lifespan by hand"
            )
        return f"handlers registered on `{text}`, which is not a module-level app this tool can follow"

    def _builds_app(self, target: cst.CSTNode) -> bool:
        statement = self.get_metadata(ParentNodeProvider, target)
        if isinstance(statement, cst.AssignTarget):
            statement = self.get_metadata(ParentNodeProvider, statement)
        value = getattr(statement, "value", None)
        return value is not None and is_app_construction(self, value)

    def _is_router(self, owner: cst.BaseExpression) -> bool:
        return isinstance(owner, cst.Name) and bound_to(self, owner, self._routers)

    def _foreign(self) -> list[str]:
        if self.facts is None:
            return []
        return [
            f"{relpath}:{site.line} {site.what}, which FastAPI would ignore once this app has a lifespan"
            for relpath, site in self.facts.blockers(self.file.relpath)
        ]

    # -- one registration -----------------------------------------------------

    def _registration(self, call: cst.Call) -> _Registration:
        parent = self.get_metadata(ParentNodeProvider, call)
        if call.func.attr.value == "on_event":  # type: ignore[attr-defined]
            if not isinstance(parent, cst.Decorator):
                return _Registration(call, call, problem="on_event() is called outside a decorator")
            function = self.get_metadata(ParentNodeProvider, parent)
            assert isinstance(function, cst.FunctionDef)
            registration = _Registration(parent, function)
            registration.event, problem = self._event(call.args, 1)
            registration.problem = problem or self._decorated_problem(function, parent)
            if not registration.problem:
                registration.handler = Handler(function.name.value, function.asynchronous is not None)
            return registration
        line = self.get_metadata(ParentNodeProvider, parent, None) if isinstance(parent, cst.Expr) else None
        registration = _Registration(call, line if line is not None else call)
        if line is None or not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not self._top(line):
            registration.problem = "add_event_handler() is not a statement of its own at module level"
            return registration
        registration.event, problem = self._event(call.args, 2)
        if problem:
            registration.problem = problem
            return registration
        handler = call.args[1].value
        function = self._module_function(handler)
        if function is None:
            registration.problem = (
                f"the handler `{cst.Module([]).code_for_node(handler)}` is not a function defined once at the top "
                "of this module, so whether it is a coroutine function is unknown"
            )
        elif function.decorators:
            registration.problem = f"the handler {function.name.value}() is decorated: whether it is a coroutine function is unknown"
        else:
            registration.problem = self._parameters_problem(function)
        if not registration.problem and function is not None:
            registration.handler = Handler(function.name.value, function.asynchronous is not None)
        return registration

    def _event(self, args: Any, count: int) -> tuple[str, str]:
        if len(args) != count or any(arg.keyword is not None or arg.star for arg in args):
            return "", "the event is not given as the plain positional arguments FastAPI documents"
        value = args[0].value
        if not isinstance(value, cst.SimpleString):
            return "", "the event name is not a string literal"
        event = ast.literal_eval(value.value)
        if event not in EVENTS:
            return "", f"the event {event!r} is neither 'startup' nor 'shutdown'"
        return event, ""

    def _decorated_problem(self, function: cst.FunctionDef, decorator: cst.Decorator) -> str:
        if not self._top(function):
            return "the handler is not defined at module level (an app factory or a conditional block)"
        if len(function.decorators) != 1:
            return (
                f"{function.name.value}() has other decorators: what FastAPI registers may not be the "
                "module-level function, nor a coroutine function when that is one"
            )
        if len(self._scope.assignments[function.name.value]) != 1:
            return f"`{function.name.value}` is bound more than once in this module"
        return self._parameters_problem(function)

    @staticmethod
    def _parameters_problem(function: cst.FunctionDef) -> str:
        params = function.params
        if params.params or params.posonly_params or params.kwonly_params or params.star_kwarg or isinstance(
            params.star_arg, cst.Param
        ):
            return f"{function.name.value}() takes parameters (FastAPI calls handlers with none)"
        return ""

    def _module_function(self, handler: cst.BaseExpression) -> cst.FunctionDef | None:
        if not isinstance(handler, cst.Name):
            return None
        assignments = list(self._scope.assignments[handler.value])
        if len(assignments) != 1:
            return None
        node = assignments[0].node
        return node if isinstance(node, cst.FunctionDef) and self._top(node) else None

    def _top(self, statement: cst.CSTNode) -> bool:
        return isinstance(self.get_metadata(ParentNodeProvider, statement, None), cst.Module)

    def _decorator_name(self, module: cst.Module) -> str | None:
        """How this module spells ``contextlib.asynccontextmanager`` (imported when
        missing); None when the name is taken by something else."""
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not small.relative and isinstance(small.names, tuple):
                    if small.module is not None and cst.Module([]).code_for_node(small.module) == "contextlib":
                        for alias in small.names:
                            if alias.evaluated_name == "asynccontextmanager":
                                local = alias.evaluated_alias or alias.evaluated_name
                                if len(self._scope.assignments[local]) == 1:
                                    return local
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.evaluated_name == "contextlib":
                            local = alias.evaluated_alias or "contextlib"
                            if len(self._scope.assignments[local]) == 1:
                                return f"{local}.asynccontextmanager"
        if self._scope.assignments["asynccontextmanager"] or self._scope.accesses["asynccontextmanager"]:
            return None
        return ""

    # -- rewriting ------------------------------------------------------------

    def _plan(self, module: cst.Module, app: _App, decorator: str, used: set[str]) -> None:
        if decorator == "":
            AddImportsVisitor.add_needed_import(self.context, "contextlib", "asynccontextmanager")
            decorator = "asynccontextmanager"
        ordered = sorted(app.registrations, key=lambda r: module.body.index(r.statement))
        handlers = {event: [r.handler for r in ordered if r.event == event and r.handler] for event in EVENTS}
        name = next(n for n in ("lifespan", *(f"lifespan_{i}" for i in range(2, 100))) if n not in used)
        used.add(name)
        parameter = "_app" if any(h.name == "app" for hs in handlers.values() for h in hs) else "app"
        function = lifespan_function(
            module, name, decorator, parameter, module.code_for_node(app.call.func),
            handlers["startup"], handlers["shutdown"],
        )
        self._plans[app.statement] = (app, function)
        for registration in app.registrations:
            target = self._undecorate if isinstance(registration.node, cst.Decorator) else self._removed
            target.add(registration.node if isinstance(registration.node, cst.Decorator) else registration.statement)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self._plans:
            return updated_node
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for original, statement in zip(original_node.body, updated_node.body):
            if original in self._removed:
                carried.extend(line for line in statement.leading_lines if line.comment is not None)
                continue
            if isinstance(original, cst.FunctionDef) and any(d in self._undecorate for d in original.decorators):
                assert isinstance(statement, cst.FunctionDef)
                kept = [d for o, d in zip(original.decorators, statement.decorators) if o not in self._undecorate]
                lines = [*statement.leading_lines, *(
                    line for o, d in zip(original.decorators, statement.decorators)
                    if o in self._undecorate for line in d.leading_lines
                )]
                statement = statement.with_changes(decorators=kept, leading_lines=lines)
            if original in self._plans:
                app, function = self._plans[original]
                assert isinstance(statement, cst.SimpleStatementLine)
                small = statement.body[0]
                assert isinstance(small, (cst.Assign, cst.AnnAssign))
                call = with_keyword(app.call, "lifespan", function.name.value)
                comments = [line for line in statement.leading_lines if line.comment is not None]
                statement = statement.with_changes(
                    body=[small.with_changes(value=call)],
                    leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *comments],
                )
                body.append(function)
            if carried:
                statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
                carried = []
            body.append(statement)
        # A comment above a removed statement that ended the module stays at its end.
        return updated_node.with_changes(body=body, footer=[*carried, *updated_node.footer])
