"""Move awaited notification calls (SMS, email, push, audit, analytics) in endpoints to BackgroundTasks.

Audit item 5: sending an SMS or an email, writing an audit event or pushing a
notification should not hold the response. ``await send_sms(to, text)`` as a
statement of an ``async def`` route becomes ``background_tasks.add_task(send_sms,
to, text)``, reusing the endpoint's ``BackgroundTasks`` parameter or adding one.
Facts (transform-rules.md, "BackgroundTasks"): tasks run after the response, never
when the endpoint raises, and must never carry the request's session, anything
built from it, or the request objects; moving a call out of ``try``/``with``/a loop
changes its error handling or ordering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import (
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from fastapi_codemods.analysis import side_effects as facts_module
from fastapi_codemods.analysis.fastapi_names import BACKGROUND_TASKS_CLASSES
from fastapi_codemods.analysis.routes import WEBSOCKET_METHODS
from fastapi_codemods.analysis.side_effects import (
    ANNOTATED,
    DEPENDS,
    GATHER,
    SCALAR_TYPES,
    BackgroundFacts,
    CallMatcher,
)
from fastapi_codemods.codemods.background_tasks._flow import (
    REQUEST_CLASSES,
    Scoped,
    attribute_root,
    bindings,
    local_names,
    plain_request_read,
    propagate,
)
from fastapi_codemods.codemods.background_tasks._signature import add_parameter
from fastapi_codemods.cst.fastapi import (
    app_and_router_targets,
    bound_to,
    route_decorator_method,
)
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})
SKIP_BLOCK = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
PREFERRED_NAMES = ("background_tasks", "bg_tasks")


@dataclass
class _Candidate:
    expr: cst.Expr
    call: cst.Call
    name: str
    trusted: bool


class BackgroundTasksTransform(Transform):
    PREFILTER = ("await",)
    FILE_PASSES = facts_module.FILE_PASSES
    OPTIONS = facts_module.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> BackgroundFacts:
        return facts_module.analyze(project, options)

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: Any) -> bool:
        """Only files with an async route awaiting a matching call (see `BackgroundFacts.candidates`)."""
        if not cls.matches_text(text):
            return False
        candidates = getattr(facts, "candidates", None)
        # Files the ast pass did not decide on (it could not parse them) stay candidates.
        return candidates is None or candidates.wants(file.relpath) is not False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.facts is None:
            self.facts = BackgroundFacts()
        self.matcher = CallMatcher(self.options)
        self.routes: dict[cst.FunctionDef, str] = {}
        self.router_targets: set[cst.CSTNode] = set()
        self.module_node: cst.Module | None = None

    # -- names -------------------------------------------------------------

    def absolute(self, node: cst.CSTNode) -> set[str]:
        """Qualified names of ``node`` with relative and module-local names made absolute."""
        result = set()
        for name in self.get_metadata(QualifiedNameProvider, node, set()):
            text = name.name
            if text.startswith("."):
                level = len(text) - len(text.lstrip("."))
                parts = self.file.package.split(".") if self.file.package else []
                base = parts[: max(len(parts) - level + 1, 0)]
                text = ".".join([*base, text.lstrip(".")])
            elif name.source is QualifiedNameSource.LOCAL and "<locals>" not in text:
                text = f"{self.file.module}.{text}" if self.file.module else text
            result.add(text)
        return result

    def is_router(self, owner: cst.Name) -> bool:
        return bound_to(self, owner, self.router_targets) or bool(self.absolute(owner) & self.facts.routers)

    # -- finding routes ----------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self.module_node = node
        self.router_targets = app_and_router_targets(self, node)
        node.visit(_RouteFinder(self))

    # -- the rewrite -------------------------------------------------------

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        kind = self.routes.get(original_node)
        if kind is None or original_node.asynchronous is None:
            return updated_node
        candidates, refusals = _Scanner(self).scan(original_node)
        for node, reason in refusals:
            if not self.is_skipped(node):
                self.report(node, reason)
        candidates = [c for c in candidates if not self.is_skipped(c.expr)]
        if not candidates:
            return updated_node
        if kind == "websocket":
            for candidate in candidates:
                self.refuse(candidate, "WebSocket endpoints have no response that background tasks run after")
            return updated_node
        background = _response_background(original_node)
        if background is not None:
            for candidate in candidates:
                self.refuse(
                    candidate,
                    f"the endpoint sets a response's own `background` (line {self.line_of(background)}); "
                    "FastAPI would drop injected BackgroundTasks",
                )
            return updated_node

        checker = _Checker(self, original_node)
        movable = [c for c in candidates if checker.check(c)]
        if not movable:
            return updated_node
        existing = self.existing_parameter(original_node)
        function = original_node
        if existing is None:
            problem = self.cannot_add_parameter(original_node)
            if problem is not None:
                for candidate in movable:
                    self.refuse(candidate, problem)
                return updated_node
            existing, annotation = self.free_name(original_node), self.annotation_name()
            if annotation == "BackgroundTasks":
                AddImportsVisitor.add_needed_import(self.context, "fastapi", "BackgroundTasks")
            column = self.get_metadata(PositionProvider, original_node).start.column
            function = add_parameter(
                function,
                cst.Param(cst.Name(existing), cst.Annotation(cst.Name(annotation))),
                column,
            )
        replacements = {c.expr: _add_task(existing, c.call) for c in movable}
        return function.with_changes(body=function.body.visit(_Replacer(replacements)))

    def refuse(self, candidate: _Candidate, reason: str) -> None:
        self.report(candidate.expr, f"`{candidate.name}(...)` not moved to BackgroundTasks: {reason}")

    def existing_parameter(self, function: cst.FunctionDef) -> str | None:
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.annotation is not None and self.absolute(param.annotation.annotation) & BACKGROUND_TASKS_CLASSES:
                return param.name.value
        return None

    def cannot_add_parameter(self, function: cst.FunctionDef) -> str | None:
        name = function.name.value
        if f"{self.file.module}.{name}" in self.facts.direct_calls or name in self.facts.direct_call_names:
            return (
                f"`{name}` is also called directly in the project; a new required `BackgroundTasks` "
                "parameter would break that call (add one by hand)"
            )
        for decorator in function.decorators:
            method = route_decorator_method(decorator)
            if method is None or not self.is_router(method[0]):
                code = cst.Module([]).code_for_node(decorator.decorator)
                return (
                    f"decorator `@{code}` wraps the endpoint and may not pass a new `BackgroundTasks` "
                    "parameter through (add one by hand)"
                )
        if self.annotation_name() is None:
            return "the name `BackgroundTasks` is bound to something else in this module"
        return None

    def annotation_name(self) -> str | None:
        """The local name of fastapi's ``BackgroundTasks`` (imported or to import)."""
        assert self.module_node is not None
        scope = self.get_metadata(ScopeProvider, self.module_node, None)
        if scope is None:
            return "BackgroundTasks"
        for assignment in scope.assignments:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    bound = alias.evaluated_alias or alias.evaluated_name
                    if bound == assignment.name and self._imports_background_tasks(node, alias):
                        return assignment.name
        if "BackgroundTasks" in scope:
            return None
        return "BackgroundTasks"

    def _imports_background_tasks(self, node: cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        module = cst.Module([]).code_for_node(node.module) if node.module is not None else ""
        return (
            not node.relative
            and f"{module}.{alias.evaluated_name}" in BACKGROUND_TASKS_CLASSES
        )

    def free_name(self, function: cst.FunctionDef) -> str:
        used = _NameCollector.collect(function)
        for name in PREFERRED_NAMES:
            if name not in used:
                return name
        number = 1
        while f"background_tasks_{number}" in used:
            number += 1
        return f"background_tasks_{number}"

    # -- matching ----------------------------------------------------------

    def match(self, func: cst.BaseExpression) -> tuple[str, bool] | None:
        """(display name, named explicitly under ``calls``) when ``func`` is a candidate."""
        if attribute_root(func) is None:
            return None
        dotted = cst.Module([]).code_for_node(func)
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value
        trusted = self.matcher.match(last, self.absolute(func) | {dotted})
        return None if trusted is None else (dotted, trusted)

    def is_async(self, func: cst.BaseExpression) -> bool:
        """Is ``func`` a plain ``async def`` of the project (function, or method by name)?"""
        names = self.absolute(func)
        if names & self.facts.async_functions:
            return True
        if names & self.facts.known:
            return False
        return isinstance(func, cst.Attribute) and func.attr.value in self.facts.async_method_names


class _RouteFinder(cst.CSTVisitor):
    """Route functions of the module: decorated, or registered with ``add_api_route``."""

    def __init__(self, transform: BackgroundTasksTransform) -> None:
        self.transform = transform
        self.functions: dict[str, list[cst.FunctionDef]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.setdefault(node.name.value, []).append(node)
        for decorator in node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name):
                method = call.func.attr.value
                if method in WEBSOCKET_METHODS and self.transform.is_router(call.func.value):
                    self.transform.routes[node] = "websocket"
                    return
            found = route_decorator_method(decorator)
            if found is not None and self.transform.is_router(found[0]):
                self.transform.routes.setdefault(node, "http")

    def leave_Module(self, original_node: cst.Module) -> None:
        original_node.visit(_AddRouteFinder(self))


class _AddRouteFinder(cst.CSTVisitor):
    def __init__(self, finder: _RouteFinder) -> None:
        self.finder = finder

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return
        kind = {"add_api_route": "http", "add_api_websocket_route": "websocket", "add_websocket_route": "websocket"}.get(
            func.attr.value
        )
        if kind is None or not self.finder.transform.is_router(func.value):
            return
        endpoint = next((a.value for a in node.args if a.keyword and a.keyword.value == "endpoint"), None)
        if endpoint is None:
            positional = [a.value for a in node.args if a.keyword is None]
            endpoint = positional[1] if len(positional) > 1 else None
        if isinstance(endpoint, cst.Name):
            for function in self.finder.functions.get(endpoint.value, []):
                self.finder.transform.routes[function] = kind


class _Scanner:
    """Awaited candidate calls of one route, and those in places they cannot leave."""

    def __init__(self, transform: BackgroundTasksTransform) -> None:
        self.transform = transform
        self.candidates: list[_Candidate] = []
        self.refusals: list[tuple[cst.CSTNode, str]] = []

    def scan(self, function: cst.FunctionDef) -> tuple[list[_Candidate], list[tuple[cst.CSTNode, str]]]:
        self.block(function.body, None)
        return self.candidates, self.refusals

    def block(self, block: cst.BaseSuite, context: str | None) -> None:
        body = block.body if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
        for statement in body:
            self.statement(statement, context)

    def statement(self, statement: cst.CSTNode, context: str | None) -> None:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                self.small(small, context)
        elif isinstance(statement, cst.If):
            self.expressions(statement.test, context)
            self.block(statement.body, context)
            if statement.orelse is not None:
                self.statement(statement.orelse, context)
        elif isinstance(statement, cst.Else):
            self.block(statement.body, context)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            inner = context or "it is inside try/except/finally, whose error handling it would leave"
            self.block(statement.body, inner)
            for handler in statement.handlers:
                self.block(handler.body, inner)
            for part in (statement.orelse, statement.finalbody):
                if part is not None:
                    self.block(part.body, inner)
        elif isinstance(statement, cst.With):
            inner = context or "it is inside a `with` block, which it would then run after"
            for item in statement.items:
                self.expressions(item, context)
            self.block(statement.body, inner)
        elif isinstance(statement, (cst.For, cst.While)):
            inner = context or "it is inside a loop; moving it would change how often and in which order it runs"
            self.expressions(statement.iter if isinstance(statement, cst.For) else statement.test, context)
            self.block(statement.body, inner)
            if statement.orelse is not None:
                self.block(statement.orelse.body, inner)
        elif isinstance(statement, cst.Match):
            inner = context or "it is inside a `match` statement"
            self.expressions(statement.subject, context)
            for case in statement.cases:
                self.block(case.body, inner)

    def small(self, small: cst.BaseSmallStatement, context: str | None) -> None:
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Await) and isinstance(small.value.expression, cst.Call):
            call = small.value.expression
            matched = self.transform.match(call.func)
            if matched is not None:
                if context is None:
                    self.candidates.append(_Candidate(small, call, matched[0], matched[1]))
                else:
                    self.refuse(call, matched[0], context)
                for arg in call.args:
                    self.expressions(arg.value, context)
                return
        self.expressions(small, context)

    def expressions(self, node: cst.CSTNode, context: str | None) -> None:
        """Matching calls inside an expression: their result is used, or gather runs them."""
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, SKIP_BLOCK):
                continue
            if isinstance(current, cst.Await) and isinstance(current.expression, cst.Call):
                matched = self.transform.match(current.expression.func)
                if matched is not None:
                    self.refuse(
                        current.expression,
                        matched[0],
                        context or "its result is used (assigned, returned or part of an expression)",
                    )
            if isinstance(current, cst.Call) and self.transform.absolute(current.func) & GATHER:
                for arg in current.args:
                    for inner in _calls(arg.value):
                        matched = self.transform.match(inner.func)
                        if matched is not None:
                            self.refuse(
                                inner,
                                matched[0],
                                "it runs inside asyncio.gather/wait_for, which owns its ordering and errors",
                            )
            stack.extend(current.children)

    def refuse(self, node: cst.CSTNode, name: str, reason: str) -> None:
        self.refusals.append((node, f"`{name}(...)` not moved to BackgroundTasks: {reason}"))


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            found.append(current)
        if not isinstance(current, SKIP_BLOCK):
            stack.extend(current.children)
    return found


class _Checker:
    """Per-candidate checks that need the whole function: scoped values, later reads."""

    def __init__(self, transform: BackgroundTasksTransform, function: cst.FunctionDef) -> None:
        self.transform = transform
        self.function = function
        self.scoped = Scoped()
        self.immutable: set[str] = set()
        parameters = function.params
        self.parameters = [
            *parameters.posonly_params,
            *parameters.params,
            *parameters.kwonly_params,
            *[p for p in (parameters.star_arg, parameters.star_kwarg) if isinstance(p, cst.Param)],
        ]
        for param in self.parameters:
            self.classify(param)
        self.local = local_names(function.body) | {p.name.value for p in self.parameters}
        propagate(self.scoped, function.body, self.local)
        self.names = _NameCollector.positions(transform, function.body)

    def classify(self, param: cst.Param) -> None:
        name = param.name.value
        annotation = param.annotation.annotation if param.annotation is not None else None
        if annotation is not None:
            request = self.transform.absolute(annotation) & REQUEST_CLASSES
            if request:
                kind = min(request).rsplit(".", 1)[1]
                self.scoped.add(name, f"the `{kind}` object of the request", request_object=True)
                return
        scalar = self.is_scalar(annotation)
        if scalar:
            self.immutable.add(name)
        target = self.dependency(param.default) or self.dependency(annotation)
        if target is not None:
            if not scalar:
                self.scope_dependency(name, *target)
            return
        if annotation is not None:
            aliases = self.transform.absolute(annotation)
            if aliases & self.transform.facts.scoped:
                self.scope_dependency(name, aliases, cst.Module([]).code_for_node(annotation))

    def dependency(self, node: cst.CSTNode | None) -> tuple[set[str], str] | None:
        """For ``Depends(x)``, also inside ``Annotated``: (absolute names of x, its code)."""
        if isinstance(node, cst.Subscript) and self.transform.absolute(node.value) & ANNOTATED:
            elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            for element in elements[1:]:
                found = self.dependency(element)
                if found is not None:
                    if not found[0] and found[1] == "" and elements:
                        return self.transform.absolute(elements[0]), cst.Module([]).code_for_node(elements[0])
                    return found
            return None
        if not isinstance(node, cst.Call) or not self.transform.absolute(node.func) & DEPENDS:
            return None
        target = next((a.value for a in node.args if a.keyword is None or a.keyword.value == "dependency"), None)
        if target is None or (isinstance(target, cst.Name) and target.value == "None"):
            return set(), ""
        code = cst.Module([]).code_for_node(target)
        if isinstance(target, cst.Call):
            return set(), code
        return self.transform.absolute(target), code

    def scope_dependency(self, name: str, targets: set[str], code: str) -> None:
        """Mark ``name`` when its dependency is request-scoped, or unknown to the project."""
        facts = self.transform.facts
        if not code:
            targets, code = self.default_dependency(name)
        scoped = targets & facts.scoped
        if scoped:
            origin = facts.yield_origin.get(min(scoped), "")
            if origin and origin not in scoped:
                why = f"a value of dependency `{code}`, which depends on `{origin.rsplit('.', 1)[-1]}` (a dependency with yield)"
            else:
                why = f"a value of the yield dependency `{code}`"
            self.scoped.add(name, why)
        elif not targets & facts.known:
            self.scoped.add(
                name, f"a value of dependency `{code}`, not defined in this project: it may hold the request's session"
            )

    def default_dependency(self, name: str) -> tuple[set[str], str]:
        """``x: T = Depends()`` depends on ``T`` itself."""
        for param in self.parameters:
            if param.name.value == name and param.annotation is not None:
                annotation = param.annotation.annotation
                if isinstance(annotation, cst.Subscript) and self.transform.absolute(annotation.value) & ANNOTATED:
                    first = annotation.slice[0].slice
                    if isinstance(first, cst.Index):
                        annotation = first.value
                return self.transform.absolute(annotation), cst.Module([]).code_for_node(annotation)
        return set(), name

    def is_scalar(self, annotation: cst.BaseExpression | None) -> bool:
        if annotation is None:
            return False
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            parts = [annotation.left, annotation.right]
            plain = [p for p in parts if not (isinstance(p, cst.Name) and p.value == "None")]
            return bool(plain) and all(self.is_scalar(p) for p in plain)
        if isinstance(annotation, cst.Subscript):
            names = self.transform.absolute(annotation.value)
            if names & (OPTIONAL | ANNOTATED):
                first = annotation.slice[0].slice
                return isinstance(first, cst.Index) and self.is_scalar(first.value)
            return False
        return bool(self.transform.absolute(annotation) & SCALAR_TYPES)

    def check(self, candidate: _Candidate) -> bool:
        reason = self.problem(candidate)
        if reason is None:
            return True
        self.transform.refuse(candidate, reason)
        return False

    def problem(self, candidate: _Candidate) -> str | None:
        func = candidate.call.func
        if not candidate.trusted and not self.transform.is_async(func):
            return (
                f"`{candidate.name}` is not known to be a plain `async def` (defined outside the project or "
                "decorated): add_task runs other callables in a thread, where a returned coroutine is never "
                "awaited (list it under `calls` if it is a coroutine function)"
            )
        if isinstance(func, cst.Attribute):
            receiver = func.value
            root = attribute_root(receiver)
            if root is not None and root.value in self.scoped and not plain_request_read(self.scoped, receiver):
                return (
                    f"it is a method of `{root.value}`, {self.scoped.why[root.value]}; "
                    "a background task runs after the response, when the request's session and objects may be closed"
                )
            carried = self.scoped.carried(receiver)
            if carried is not None:
                return self.carries(carried)
        for arg in candidate.call.args:
            carried = self.scoped.carried(arg.value)
            if carried is not None:
                return self.carries(carried)
        return self.later_use(candidate)

    def carries(self, name: str) -> str:
        return (
            f"the task would carry `{name}`, {self.scoped.why[name]}; a background task runs after the "
            "response, when the request's session and objects may be closed (pass plain values such as ids)"
        )

    def later_use(self, candidate: _Candidate) -> str | None:
        """Refuse when code after the call reads an object the task receives.

        Conservative rule: the receiver's root name (``svc`` in ``svc.notify``) and every
        argument passed as a bare local name (``*x``/``**x`` too) that is not a scalar
        parameter or a literal, if mentioned anywhere after the call statement. The
        task could change that object after the later code has read it (or before).
        """
        watched: dict[str, str] = {}
        for arg in candidate.call.args:
            name = arg.value.value if isinstance(arg.value, cst.Name) else None
            if name in self.local and name not in self.immutable and not self.literal_only(name):
                watched[name] = "is passed to it"
        func = candidate.call.func
        if isinstance(func, cst.Attribute):
            root = attribute_root(func.value)
            if root is not None and root.value in self.local:
                watched[root.value] = "is the object it is called on"
        if not watched:
            return None
        end = self.transform.get_metadata(PositionProvider, candidate.expr).end
        for name, line, column in self.names:
            if name in watched and (line, column) > (end.line, end.column):
                return (
                    f"`{name}` {watched[name]} and is used again after the call (line {line}); "
                    "the task would run after that code, which may read what it changes"
                )
        return None

    def literal_only(self, name: str) -> bool:
        values = [
            value
            for targets, value, rebinds in bindings(self.function.body)
            if rebinds and any(isinstance(t, cst.Name) and t.value == name for t in targets)
        ]
        return bool(values) and all(
            isinstance(v, (cst.SimpleString, cst.Integer, cst.Float, cst.FormattedString, cst.ConcatenatedString))
            for v in values
        ) and name not in {p.name.value for p in self.parameters}


def _response_background(function: cst.FunctionDef) -> cst.CSTNode | None:
    """A ``background=`` keyword or ``x.background = ...`` in the endpoint."""
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Arg) and node.keyword is not None and node.keyword.value == "background":
            return node
        if isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Attribute) and node.target.attr.value == "background":
            return node
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(node.children)
    return None


def _add_task(name: str, call: cst.Call) -> cst.Expr:
    """``await f(a, k=v)`` -> ``name.add_task(f, a, k=v)``, keeping a multi-line layout."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        comma = cst.Comma(whitespace_after=call.whitespace_before_args)
    first = cst.Arg(value=call.func, comma=comma if call.args else cst.MaybeSentinel.DEFAULT)
    return cst.Expr(
        value=call.with_changes(
            func=cst.Attribute(value=cst.Name(name), attr=cst.Name("add_task")),
            args=[first, *call.args],
        )
    )


class _Replacer(cst.CSTTransformer):
    def __init__(self, replacements: dict[cst.Expr, cst.Expr]) -> None:
        self.replacements = replacements

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        replacement = self.replacements.get(original_node)
        if replacement is None:
            return updated_node
        return replacement.with_changes(semicolon=original_node.semicolon)


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    @classmethod
    def collect(cls, node: cst.CSTNode) -> set[str]:
        collector = cls()
        node.visit(collector)
        return {name.value for name in collector.names}

    @classmethod
    def positions(cls, transform: Transform, node: cst.CSTNode) -> list[tuple[str, int, int]]:
        collector = cls()
        node.visit(collector)
        result = []
        for name in collector.names:
            position = transform.get_metadata(PositionProvider, name, None)
            if position is not None:
                result.append((name.value, position.start.line, position.start.column))
        return result
