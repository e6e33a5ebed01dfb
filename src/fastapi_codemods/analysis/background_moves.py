"""What ``background_tasks`` would do with each side effect a route awaits, in the stdlib ``ast``.

The audit (practice 5) prints a fix only for the calls the transform would move,
and says why a person must look at the others. This is the transform's decision
(`codemods.background_tasks`, libcst) restated on the ``ast`` and the transform's
own project facts (`side_effects.BackgroundFacts`), rule for rule and in the same
order; `tests/test_audit.py` checks both agree on the transform's fixtures.

For one ``async def`` HTTP route, each matching call gets a refusal reason, or
None when the transform moves it:

1. where it sits: an awaited statement of its own outside ``try``, ``with``, loops
   and ``match``; a call whose result is used or that runs in ``asyncio.gather``
   stays;
2. a WebSocket endpoint, or one setting a response's own ``background``: every call stays;
3. the callee is a plain ``async def`` of the project (or named under ``calls``);
4. neither its receiver nor its arguments carry the request's session, a value
   built from it or the request object (dataflow in the function, as `_flow`);
5. nothing after the call reads a local it receives or is called on;
6. a new ``BackgroundTasks`` parameter can be added: the endpoint is not called
   directly, has no decorator other than its routes, and the module does not bind
   the name ``BackgroundTasks`` to something else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_codemods.analysis import routes
from fastapi_codemods.analysis.fastapi_names import BACKGROUND_TASKS_CLASSES
from fastapi_codemods.analysis.side_effects import (
    ANNOTATED,
    DEPENDS,
    GATHER,
    SCALAR_TYPES,
    BackgroundFacts,
    CallMatcher,
    possible_names,
)

REQUEST_CLASSES = frozenset({
    "fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request", "fastapi.Response",
    "fastapi.responses.Response", "starlette.responses.Response", "fastapi.WebSocket",
    "fastapi.websockets.WebSocket", "starlette.websockets.WebSocket", "fastapi.requests.HTTPConnection",
    "starlette.requests.HTTPConnection",
})
PLAIN_REQUEST_ATTRIBUTES = frozenset(
    {"headers", "client", "url", "base_url", "cookies", "query_params", "path_params", "method", "app"}
)
OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
LITERALS = (ast.Constant, ast.JoinedStr)


class Route:
    """One route's names, resolved as the transform resolves them."""

    def __init__(self, function: ast.AsyncFunctionDef, module: str, bindings: dict[str, set[str]],
                 facts: BackgroundFacts, matcher: CallMatcher, is_router) -> None:
        self.function, self.module, self.bindings = function, module, bindings
        self.facts, self.matcher, self.is_router = facts, matcher, is_router
        # Bound at module level, other than by importing fastapi's class: the transform cannot import it.
        self.background_name_taken = "BackgroundTasks" in bindings and not bindings["BackgroundTasks"] <= set(
            BACKGROUND_TASKS_CLASSES)
        self.scoped: dict[str, bool] = {}  # name -> is a request object
        self.immutable: set[str] = set()
        self.sessions: set[str] = set()  # parameters that hold the request's session (see `writes_with_session`)
        args = function.args
        self.parameters = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                           *[a for a in (args.vararg, args.kwarg) if a is not None]]
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]:
            self._classify(arg, default)
        self.local = _local_names(function) | {arg.arg for arg in self.parameters}
        self._propagate()

    def names(self, node: ast.AST) -> set[str]:
        return possible_names(node, self.module, self.bindings) if isinstance(node, (ast.Name, ast.Attribute)) else set()

    # -- parameters --------------------------------------------------------

    def _classify(self, arg: ast.arg, default: ast.expr | None) -> None:
        annotation = arg.annotation
        if annotation is not None and self.names(annotation) & REQUEST_CLASSES:
            self.scoped[arg.arg] = True
            return
        if _names_session(annotation):
            self.sessions.add(arg.arg)
        scalar = self._is_scalar(annotation)
        if scalar:
            self.immutable.add(arg.arg)
        target = self._dependency(default) or self._dependency(annotation)
        if target is not None:
            if not scalar:
                self._scope_dependency(arg, *target)
            return
        if annotation is not None and self.names(annotation) & self.facts.scoped:
            self.scoped[arg.arg] = False

    def _dependency(self, node: ast.AST | None) -> tuple[set[str], bool] | None:
        """(absolute names of x, whether x is written) for ``Depends(x)``, also in ``Annotated``."""
        if isinstance(node, ast.Subscript) and self.names(node.value) & ANNOTATED:
            elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for element in elements[1:]:
                found = self._dependency(element)
                if found is not None:
                    if not found[0] and not found[1] and elements:
                        return self.names(elements[0]), True
                    return found
            return None
        if not isinstance(node, ast.Call) or not self.names(node.func) & DEPENDS:
            return None
        target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dependency"), None)
        if target is None or isinstance(target, ast.Constant) and target.value is None:
            return set(), False
        if isinstance(target, ast.Call):
            return set(), True
        return self.names(target), True

    def _scope_dependency(self, arg: ast.arg, targets: set[str], written: bool) -> None:
        if not written:
            annotation = arg.annotation
            if isinstance(annotation, ast.Subscript) and self.names(annotation.value) & ANNOTATED:
                annotation = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
            targets = self.names(annotation) if annotation is not None else set()
        if targets & self.facts.scoped or not targets & self.facts.known:
            self.scoped[arg.arg] = False
        if targets & self.facts.scoped:
            self.sessions.add(arg.arg)

    def _is_scalar(self, annotation: ast.AST | None) -> bool:
        if annotation is None:
            return False
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            plain = [p for p in (annotation.left, annotation.right)
                     if not (isinstance(p, ast.Constant) and p.value is None)]
            return bool(plain) and all(self._is_scalar(p) for p in plain)
        if isinstance(annotation, ast.Subscript):
            if self.names(annotation.value) & (OPTIONAL | ANNOTATED):
                first = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
                return self._is_scalar(first)
            return False
        return bool(self.names(annotation) & SCALAR_TYPES)

    # -- dataflow ------------------------------------------------------------

    def _propagate(self) -> None:
        pairs = list(_bindings(self.function))
        changed = True
        while changed:
            changed = False
            for targets, value, _rebinds in pairs:
                if self.carried(value) is None:
                    continue
                for target in targets:
                    for name in _target_names(target):
                        if name in self.local and name not in self.scoped:
                            self.scoped[name] = False
                            changed = True

    def carried(self, node: ast.AST, lazy: bool = False) -> str | None:
        """The first scoped name ``node`` would carry into a task (see `_flow`)."""
        if isinstance(node, ast.Name):
            return node.id if node.id in self.scoped else None
        if isinstance(node, (ast.Lambda, ast.GeneratorExp)):
            lazy = True
        if isinstance(node, ast.Attribute) and not lazy:
            root = _root(node)
            if root is not None and root.id in self.scoped:
                if self.scoped[root.id] and _first_attribute(node) not in PLAIN_REQUEST_ATTRIBUTES:
                    return root.id
                return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root = _root(node.func)
            if root is not None and root.id in self.scoped and not self.plain_request_read(node.func.value):
                return root.id
        if isinstance(node, ast.Subscript):
            root = _root(node.value)
            if root is not None and root.id in self.scoped:
                return root.id
        for child in ast.iter_child_nodes(node):
            found = self.carried(child, lazy)
            if found is not None:
                return found
        return None

    def plain_request_read(self, receiver: ast.AST) -> bool:
        root = _root(receiver)
        return (root is not None and self.scoped.get(root.id, False) and isinstance(receiver, ast.Attribute)
                and _first_attribute(receiver) in PLAIN_REQUEST_ATTRIBUTES)

    def writes_with_session(self, call: ast.Call) -> bool:
        """``call`` is handed the request's session (a parameter from a yield dependency
        of the project or typed ``...Session``) as an argument or receiver: what it
        writes is part of the request's transaction, not a side effect to defer."""
        if not self.sessions:
            return False
        parts = [*call.args, *(keyword.value for keyword in call.keywords)]
        if isinstance(call.func, ast.Attribute):
            parts.append(call.func.value)
        return any(isinstance(node, ast.Name) and node.id in self.sessions for part in parts for node in ast.walk(part))

    # -- the decision ----------------------------------------------------------

    def match(self, func: ast.expr) -> bool | None:
        """None when no candidate, else whether it is named under ``calls`` (trusted)."""
        if _root(func) is None:
            return None
        last = func.attr if isinstance(func, ast.Attribute) else func.id  # type: ignore[union-attr]
        return self.matcher.match(last, self.names(func) | {ast.unparse(func)})

    def is_async(self, func: ast.expr) -> bool:
        names = self.names(func)
        if names & self.facts.async_functions:
            return True
        if names & self.facts.known:
            return False
        return isinstance(func, ast.Attribute) and func.attr in self.facts.async_method_names

    def decisions(self) -> list[tuple[ast.Call, str | None]]:
        """Each matching call with the transform's refusal reason, or None when it moves it."""
        candidates: list[tuple[ast.Call, ast.stmt, bool]] = []
        refused: list[tuple[ast.Call, str | None]] = []
        self._block(self.function.body, None, candidates, refused)
        if not candidates:
            return refused
        if routes.is_websocket_route(self.function):
            reason = "WebSocket endpoints have no response that background tasks run after"
            return refused + [(call, reason) for call, _statement, _trusted in candidates]
        if _response_background(self.function):
            reason = "the endpoint sets a response's own `background`; FastAPI would drop injected BackgroundTasks"
            return refused + [(call, reason) for call, _statement, _trusted in candidates]
        movable = []
        for call, statement, trusted in candidates:
            reason = self._problem(call, statement, trusted)
            if reason is None:
                movable.append(call)
            else:
                refused.append((call, reason))
        if movable and not self._has_background_parameter():
            reason = self._cannot_add_parameter()
            if reason is not None:
                return refused + [(call, reason) for call in movable]
        return refused + [(call, None) for call in movable]

    def _block(self, body: list[ast.stmt], context: str | None, candidates: list, refused: list) -> None:
        for statement in body:
            self._statement(statement, context, candidates, refused)

    def _statement(self, statement: ast.stmt, context: str | None, candidates: list, refused: list) -> None:
        if isinstance(statement, ast.If):
            self._expressions(statement.test, context, refused)
            self._block(statement.body, context, candidates, refused)
            self._block(statement.orelse, context, candidates, refused)
        elif isinstance(statement, (ast.Try, *(getattr(ast, "TryStar", ast.Try),))):
            inner = context or "it is inside try/except/finally, whose error handling it would leave"
            self._block(statement.body, inner, candidates, refused)
            for handler in statement.handlers:
                self._block(handler.body, inner, candidates, refused)
            self._block(statement.orelse, inner, candidates, refused)
            self._block(statement.finalbody, inner, candidates, refused)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            inner = context or "it is inside a `with` block, which it would then run after"
            for item in statement.items:
                self._expressions(item, context, refused)
            self._block(statement.body, inner, candidates, refused)
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            inner = context or "it is inside a loop; moving it would change how often and in which order it runs"
            self._expressions(statement.iter if not isinstance(statement, ast.While) else statement.test,
                              context, refused)
            self._block(statement.body, inner, candidates, refused)
            self._block(statement.orelse, inner, candidates, refused)
        elif isinstance(statement, ast.Match):
            inner = context or "it is inside a `match` statement"
            self._expressions(statement.subject, context, refused)
            for case in statement.cases:
                self._block(case.body, inner, candidates, refused)
        elif isinstance(statement, NESTED):
            return
        elif (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Await)
              and isinstance(statement.value.value, ast.Call)):
            call = statement.value.value
            trusted = self.match(call.func)
            if trusted is None:
                self._expressions(statement, context, refused)
                return
            if context is None:
                candidates.append((call, statement, trusted))
            else:
                refused.append((call, context))
            for argument in call.args:
                self._expressions(argument, context, refused)
        else:
            self._expressions(statement, context, refused)

    def _expressions(self, node: ast.AST, context: str | None, refused: list) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, NESTED):
                continue
            if isinstance(current, ast.Await) and isinstance(current.value, ast.Call):
                if self.match(current.value.func) is not None:
                    refused.append((current.value, context or "its result is used"))
            if isinstance(current, ast.Call) and self.names(current.func) & GATHER:
                for argument in [*current.args, *(keyword.value for keyword in current.keywords)]:
                    for inner in ast.walk(argument):
                        if isinstance(inner, ast.Call) and self.match(inner.func) is not None:
                            refused.append((inner, "it runs inside asyncio.gather/wait_for, which owns its "
                                                   "ordering and errors"))
            stack.extend(ast.iter_child_nodes(current))

    def _problem(self, call: ast.Call, statement: ast.stmt, trusted: bool) -> str | None:
        func = call.func
        if not trusted and not self.is_async(func):
            return (f"`{ast.unparse(func)}` is not known to be a plain `async def` of the project "
                    "(add_task would run it in a thread, its coroutine never awaited)")
        if isinstance(func, ast.Attribute):
            root = _root(func.value)
            if root is not None and root.id in self.scoped and not self.plain_request_read(func.value):
                return f"it is a method of `{root.id}`, which holds the request's session or objects"
            carried = self.carried(func.value)
            if carried is not None:
                return f"the task would carry `{carried}`, the request's session or a value built from it"
        for argument in call.args:
            carried = self.carried(argument)
            if carried is not None:
                return f"the task would carry `{carried}`, the request's session or a value built from it"
        return self._later_use(call, statement)

    def _later_use(self, call: ast.Call, statement: ast.stmt) -> str | None:
        watched = {argument.id for argument in call.args if isinstance(argument, ast.Name)
                   and argument.id in self.local and argument.id not in self.immutable
                   and not self._literal_only(argument.id)}
        root = _root(call.func.value) if isinstance(call.func, ast.Attribute) else None
        if root is not None and root.id in self.local:
            watched.add(root.id)
        if not watched:
            return None
        end = (statement.end_lineno or 0, statement.end_col_offset or 0)
        for node in ast.walk(self.function):
            if (isinstance(node, ast.Name) and node.id in watched
                    and (node.lineno, node.col_offset) > end):
                return f"`{node.id}` is used again after the call (line {node.lineno})"
        return None

    def _literal_only(self, name: str) -> bool:
        values = [value for targets, value, rebinds in _bindings(self.function)
                  if rebinds and any(isinstance(t, ast.Name) and t.id == name for t in targets)]
        return bool(values) and all(isinstance(value, LITERALS) and not (
            isinstance(value, ast.Constant) and value.value in (None, True, False)) for value in values)

    def _has_background_parameter(self) -> bool:
        return any(arg.annotation is not None and self.names(arg.annotation) & BACKGROUND_TASKS_CLASSES
                   for arg in self.parameters)

    def _cannot_add_parameter(self) -> str | None:
        name = self.function.name
        if f"{self.module}.{name}" in self.facts.direct_calls or name in self.facts.direct_call_names:
            return f"`{name}` is also called directly in the project; a new parameter would break that call"
        for decorator in self.function.decorator_list:
            if not self.is_router(decorator):
                return f"decorator `@{ast.unparse(decorator)}` wraps the endpoint and may not pass a new parameter"
        if self.background_name_taken:
            return "the name `BackgroundTasks` is bound to something else in this module"
        return None


def _names_session(annotation: ast.AST | None) -> bool:
    """``Session``, ``AsyncSession``, ``orm.Session``, also inside ``Annotated[...]``/``Optional``."""
    if annotation is None:
        return False
    return any(isinstance(node, (ast.Name, ast.Attribute))
               and (node.id if isinstance(node, ast.Name) else node.attr).endswith("Session")
               for node in ast.walk(annotation))


def _root(node: ast.AST) -> ast.Name | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _first_attribute(node: ast.Attribute) -> str:
    while isinstance(node.value, ast.Attribute):
        node = node.value
    return node.attr


def _bindings(function: ast.AST) -> Iterator[tuple[list[ast.AST], ast.AST, bool]]:
    """(targets, value, rebinds) of every binding in ``function``, nested scopes aside (see `_flow.bindings`)."""
    stack: list[ast.AST] = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign):
            yield list(node.targets), node.value, True
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            yield [node.target], node.value, True
        elif isinstance(node, ast.NamedExpr):
            yield [node.target], node.value, True
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            yield [node.target], node.iter, True
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            yield [node.optional_vars], node.context_expr, True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield [node.func.value], ast.Tuple(elts=list(node.args), ctx=ast.Load()), False
            receiver = _root(node.func.value)
            if receiver is not None:
                yield [a for a in node.args if isinstance(a, ast.Name)], receiver, False
        if isinstance(node, NESTED):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _target_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif isinstance(target, (ast.Attribute, ast.Subscript)):
        root = _root(target.value if isinstance(target, ast.Subscript) else target)
        if root is not None:
            yield root.id


def _local_names(function: ast.AST) -> set[str]:
    return {name for targets, _value, rebinds in _bindings(function) if rebinds
            for target in targets if not isinstance(target, (ast.Attribute, ast.Subscript))
            for name in _target_names(target)}


def _response_background(function: ast.AST) -> bool:
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.keyword) and node.arg == "background":
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "background"
                                                for t in node.targets):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False
