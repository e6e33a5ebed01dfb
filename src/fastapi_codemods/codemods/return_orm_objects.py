"""Return the object instead of a dict copied from its attributes when the route declares response_model.

Audit item 8 (manual response model construction): ``payload = {"id": report.id,
...}; return payload`` repeats what FastAPI does with ``response_model``. Under
Pydantic v2 FastAPI validates the returned value with ``from_attributes=True`` (v1
needs ``orm_mode = True``), so returning ``report`` gives the same JSON when the
dict copies exactly the model's fields, unchanged, from one object, and nothing
touches the object before it is serialized. Anything else is reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst
from libcst.metadata import ParentNodeProvider, ScopeProvider
from libcst.metadata.scope_provider import Assignment, FunctionScope

from fastapi_codemods.analysis import dict_responses
from fastapi_codemods.analysis.dict_responses import find_candidates
from fastapi_codemods.analysis.models import Model, ModelIndex, build_index
from fastapi_codemods.cst.fastapi import (
    absolute_names,
    app_and_router_targets,
    bound_to,
    qualified_names,
    resolves_to,
    route_decorator_method,
)
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

LIST_TYPES = frozenset(
    {
        "builtins.list",
        "typing.List",
        "typing.Sequence",
        "collections.abc.Sequence",
        "typing_extensions.Sequence",
    }
)
DICT_TYPES = frozenset({"builtins.dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping"})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
# Calls whose results are lists by construction (SQLAlchemy's Query.all, ScalarResult.all, fetchall).
LIST_BUILTINS = frozenset({"builtins.list", "builtins.sorted"})
SESSION_EXPIRING = frozenset({"commit", "rollback", "expire", "expire_all", "close"})


@dataclass
class Route:
    """What the decorators of one endpoint say."""

    model: Model | None = None
    is_list: bool = False
    model_text: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    """A return that hands back a dict (or a list of dicts) built from attribute reads."""

    ret: cst.Return
    value: cst.BaseExpression
    assign: cst.SimpleStatementLine | None = None
    between: Sequence[cst.BaseStatement] = ()
    problems: list[str] = field(default_factory=list)


class ReturnOrmObjects(Transform):
    PREFILTER = ("response_model",)
    FILE_PASSES = dict_responses.FILE_PASSES
    OPTIONS = dict_responses.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    @classmethod
    def analyze_project(cls, project: Any, options: Any) -> ModelIndex:
        return replace(build_index(project), candidates=find_candidates(project))

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: Any) -> bool:
        """Only files with a route returning a dict copied from an object (see `analysis.dict_responses`)."""
        if not cls.matches_text(text):
            return False
        candidates = getattr(facts, "candidates", None)
        # Files the ast pass did not decide on (it could not parse them) stay candidates.
        return candidates is None or candidates.wants(file.relpath) is not False

    def visit_Module(self, node: cst.Module) -> None:
        self.tree = node
        self.index: ModelIndex = self.facts or ModelIndex()
        self.targets = app_and_router_targets(self, node)
        self.new_values: dict[cst.Return, cst.BaseExpression] = {}
        self.removed: set[cst.SimpleStatementLine] = set()
        self.drop_annotation: set[cst.FunctionDef] = set()

    # -- decisions, on the original tree -------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        route = self.route(node)
        if route is None:
            return
        returns = list(own_returns(node))
        rewritten = 0
        for ret in returns:
            candidate = self.candidate(node, ret)
            if candidate is None or self.is_skipped(ret) or (candidate.assign and self.is_skipped(candidate.assign)):
                continue
            replacement = self.decide(node, route, candidate)
            if replacement is None:
                continue
            self.new_values[ret] = replacement
            if candidate.assign is not None:
                self.removed.add(candidate.assign)
            rewritten += 1
        if rewritten and node.returns is not None and self.is_dict_annotation(node.returns.annotation):
            annotation = self.code(node.returns.annotation)
            if rewritten == len(returns):
                self.drop_annotation.add(node)
            else:
                self.report(
                    node,
                    f"return annotation `-> {annotation}` kept: other returns of `{node.name.value}` still return dicts, the rewritten ones return the object",
                )

    def route(self, node: cst.FunctionDef) -> Route | None:
        """The endpoint's response model, or None when no route decorator declares one."""
        route = Route()
        models: set[tuple[str, bool]] = set()
        without_model = 0
        for decorator in node.decorators:
            found = route_decorator_method(decorator)
            if found is None:
                route.problems.append(
                    f"`{node.name.value}` has another decorator (`@{self.code(decorator.decorator)}`) that sees the returned value"
                )
                continue
            owner, _, call = found
            arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
            expression = arguments.get("response_model")
            if (
                expression is None
                or isinstance(expression, cst.Name)
                and expression.value == "None"
                or self.is_builtin_type(expression)
            ):
                without_model += 1
                continue
            if not (bound_to(self, owner, self.targets) or self.imported_router(owner)):
                route.problems.append(f"`{owner.value}` is not known to be a FastAPI app or router")
            unset = arguments.get("response_model_exclude_unset")
            if unset is not None and not (isinstance(unset, cst.Name) and unset.value == "False"):
                route.problems.append(
                    "the route sets response_model_exclude_unset: which fields count as set differs between a dict and an object"
                )
            route.model_text = self.code(expression)
            route.model, route.is_list = self.resolve_model(expression)
            models.add((route.model.qualname if route.model else route.model_text, route.is_list))
        if not models:
            return None
        if len(models) > 1:
            route.problems.append("the route decorators declare different response models")
        if without_model:
            route.problems.append(
                "another route decorator of this function has no response_model: that route would serialize the object itself"
            )
        if route.model is None:
            route.problems.append(
                f"response_model `{route.model_text}` does not resolve to a Pydantic model defined in this project"
            )
        else:
            route.problems.extend(model_problems(route.model))
        return route

    def is_builtin_type(self, expression: cst.BaseExpression) -> bool:
        """``dict``, ``list``, ``Dict[str, Any]``, ``Any``...: no model to build from an object."""
        base = expression.value if isinstance(expression, cst.Subscript) else expression
        if isinstance(expression, cst.Subscript) and resolves_to(self, base, LIST_TYPES):
            element = expression.slice[0].slice if len(expression.slice) == 1 else None
            return isinstance(element, cst.Index) and self.is_builtin_type(element.value)
        names = qualified_names(self, base)
        return bool(names) and all(name.startswith(("builtins.", "typing.", "typing_extensions.")) for name in names)

    def imported_router(self, owner: cst.Name) -> bool:
        names = absolute_names(self, owner, self.file.module, self.file.package)
        return any(self.index.is_router(name) for name in names)

    def resolve_model(self, expression: cst.BaseExpression) -> tuple[Model | None, bool]:
        is_list = False
        if isinstance(expression, cst.Subscript):
            if not resolves_to(self, expression.value, LIST_TYPES) or len(expression.slice) != 1:
                return None, False
            element = expression.slice[0].slice
            if not isinstance(element, cst.Index):
                return None, False
            expression, is_list = element.value, True
        if not isinstance(expression, (cst.Name, cst.Attribute)):
            return None, is_list
        for name in absolute_names(self, expression, self.file.module, self.file.package):
            model = self.index.model(name)
            if model is not None:
                return model, is_list
        return None, is_list

    def candidate(self, function: cst.FunctionDef, ret: cst.Return) -> Candidate | None:
        """The return's dict (directly or through one variable), when it is worth a look."""
        value = ret.value
        if value is not None and self.built_from_attributes(value):
            return Candidate(ret, value)
        if not isinstance(value, cst.Name):
            return None
        assignments = self.assignments_of(value)
        built = [a for a in assignments if self.built_from_attributes(self.assigned_value(a) or cst.Name("_"))]
        if not built:
            return None
        candidate = Candidate(ret, self.assigned_value(built[0]) or value)
        name = value.value
        if len(assignments) != 1:
            candidate.problems.append(f"`{name}` is assigned more than once: cannot tell which dict is returned")
            return candidate
        assignment = assignments[0]
        if not isinstance(assignment.scope, FunctionScope) or assignment.scope.node is not function:
            candidate.problems.append(f"`{name}` is not a local variable of `{function.name.value}`")
            return candidate
        others = sorted(self.line_of(access.node) for access in assignment.references if access.node is not value)
        if others:
            lines = ", ".join(str(line) for line in dict.fromkeys(others))
            candidate.problems.append(
                f"the dict `{name}` is also used at line {lines} (changed or read): returning the object would lose that"
            )
        statement = self.statement_of(assignment.node)
        block, ret_line = self.parent(statement), self.parent(ret)
        if (
            statement is None
            or not isinstance(block, cst.IndentedBlock)
            or len(statement.body) != 1
            or not isinstance(ret_line, cst.SimpleStatementLine)
            or len(ret_line.body) != 1
            or self.parent(ret_line) is not block
        ):
            candidate.problems.append(f"the dict `{name}` is not built in the same block as the return")
            return candidate
        start, end = block.body.index(statement), block.body.index(ret_line)
        if start > end:
            candidate.problems.append(f"the dict `{name}` is not built before the return in the same block")
            return candidate
        candidate.assign = statement
        candidate.between = block.body[start + 1 : end]
        return candidate

    def decide(self, function: cst.FunctionDef, route: Route, candidate: Candidate) -> cst.BaseExpression | None:
        """The new return value, or None after reporting why there is none."""
        problems = list(route.problems) + candidate.problems
        replacement: cst.BaseExpression | None = None
        obj: str | None = None
        value = candidate.value
        if isinstance(value, cst.ListComp):
            obj, replacement, shape_problems = self.comprehension(function, value)
            problems.extend(shape_problems)
            if route.model is not None and not route.is_list:
                problems.append(f"a list is returned but response_model `{route.model_text}` is not a list type")
            element = value.elt
        else:
            element = value
            if route.model is not None and route.is_list:
                problems.append(f"a dict is returned but response_model `{route.model_text}` is a list type")
        entries = self.entries(element)
        if isinstance(entries, list):
            problems.extend(entries)
        else:
            entry_object, keys = entries
            if obj is None:
                obj = entry_object
                replacement = cst.Name(entry_object)
                problems.extend(self.object_problems(function, entry_object))
            elif entry_object != obj:
                problems.append(f"the dict reads `{entry_object}`, not the loop variable `{obj}`")
            if route.model is not None:
                problems.extend(key_problems(keys, route.model))
        if obj is not None:
            problems.extend(self.between_problems(candidate.between, obj, replacement))
            problems.extend(self.exit_problems(function, candidate.ret))
        if problems or replacement is None:
            self.report(candidate.ret, "; ".join(dict.fromkeys(problems)) or "not a dict copied from one object")
            return None
        return replacement

    def entries(self, expression: cst.BaseExpression) -> tuple[str, list[str]] | list[str]:
        """(object, keys) when every entry is ``"k": o.k`` for one object; else the problems."""
        pairs: list[tuple[str | None, cst.BaseExpression]] = []
        problems: list[str] = []
        if isinstance(expression, cst.Dict):
            for element in expression.elements:
                if isinstance(element, cst.StarredDictElement):
                    problems.append(f"the dict unpacks `**{self.code(element.value)}`")
                    continue
                key = element.key
                text = key.evaluated_value if isinstance(key, cst.SimpleString) else None
                if not isinstance(text, str):
                    problems.append(f"key `{self.code(key)}` is not a plain string")
                    continue
                pairs.append((text, element.value))
        elif isinstance(expression, cst.Call):
            for arg in expression.args:
                if arg.keyword is None:
                    problems.append(f"dict() gets `{self.code(arg)}`, not only keywords")
                    continue
                pairs.append((arg.keyword.value, arg.value))
        else:
            return ["not a dict display"]
        objects: dict[str, None] = {}
        keys: list[str] = []
        computed: list[str] = []
        renamed: list[str] = []
        for key, value in pairs:
            keys.append(key)
            if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
                objects[value.value.value] = None
                if value.attr.value != key:
                    renamed.append(f"'{key}' from `{self.code(value)}`")
            else:
                computed.append(f"'{key}': `{shorten(self.code(value))}`")
        if computed:
            problems.append(
                "values are not plain attribute reads ("
                + ", ".join(computed)
                + "): returning the object would give its attributes of those names instead"
            )
        if renamed:
            problems.append("keys are renamed (" + ", ".join(renamed) + ")")
        if len(objects) > 1:
            problems.append("values come from several objects (" + ", ".join(f"`{o}`" for o in objects) + ")")
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            problems.append("duplicate keys: " + ", ".join(duplicates))
        if problems or len(objects) != 1:
            return problems or ["the dict is empty"]
        return next(iter(objects)), keys

    def comprehension(
        self, function: cst.FunctionDef, value: cst.ListComp
    ) -> tuple[str | None, cst.BaseExpression | None, list[str]]:
        loop = value.for_in
        if loop.inner_for_in is not None or loop.ifs or loop.asynchronous is not None:
            return (
                None,
                None,
                ["the comprehension has several `for`, an `if` or is async: `return rows` would return other items"],
            )
        if not isinstance(loop.target, cst.Name):
            return None, None, [f"the loop target `{self.code(loop.target)}` is not a plain name"]
        problem = self.list_problem(function, loop.iter)
        return loop.target.value, loop.iter, [problem] if problem else []

    def list_problem(self, function: cst.FunctionDef, iterable: cst.BaseExpression) -> str | None:
        """Why returning ``iterable`` itself may not give a list, or None when it is one."""
        if self.is_list_expression(iterable):
            return None
        if isinstance(iterable, cst.Name):
            assignments = self.assignments_of(iterable)
            if len(assignments) == 1:
                assigned = self.assigned_value(assignments[0])
                if assigned is not None and self.is_list_expression(assigned):
                    return None
                source = (
                    f"assigned from `{shorten(self.code(assigned))}`"
                    if assigned is not None
                    else "a parameter or not assigned a plain value"
                )
            else:
                source = "bound more than once or not in this function"
            return (
                f"`{iterable.value}` is not provably a list ({source}): returning it could return a generator, "
                "a Result or a query instead of the items"
            )
        return f"`{shorten(self.code(iterable))}` is not provably a list"

    def is_list_expression(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, (cst.List, cst.ListComp)):
            return True
        if not isinstance(node, cst.Call):
            return False
        if resolves_to(self, node.func, LIST_BUILTINS):
            return True
        if not isinstance(node.func, cst.Attribute):
            return False
        if node.func.attr.value == "fetchall":
            return True
        if node.func.attr.value != "all":
            return False
        # `.all()` gives a list on SQLAlchemy's ScalarResult and ORM Query: accept it only after those.
        current: cst.BaseExpression = node.func.value
        while True:
            if isinstance(current, cst.Await):
                current = current.expression
            if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
                if current.func.attr.value in ("scalars", "query"):
                    return True
                current = current.func.value
            elif isinstance(current, cst.Attribute):
                current = current.value
            else:
                return False

    def object_problems(self, function: cst.FunctionDef, obj: str) -> list[str]:
        """The returned object must not itself be a Pydantic model (FastAPI re-dumps those)."""
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.name.value == obj and param.annotation is not None:
                model, _ = self.resolve_model(param.annotation.annotation)
                if model is not None:
                    return [f"`{obj}` is a request body of Pydantic model {model.name}, not an ORM object"]
        for node in walk(function.body):
            if isinstance(node, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == obj for t in node.targets
            ):
                call = node.value.expression if isinstance(node.value, cst.Await) else node.value
                if isinstance(call, cst.Call):
                    func = call.func.value if isinstance(call.func, cst.Attribute) else call.func
                    model, _ = self.resolve_model(func)
                    if model is not None:
                        return [f"`{obj}` is built from Pydantic model {model.name}, not an ORM object"]
        return []

    def between_problems(
        self, statements: Sequence[cst.BaseStatement], obj: str, replacement: cst.BaseExpression | None
    ) -> list[str]:
        """Statements between the dict and the return must leave the object as it was."""
        watched = {obj}
        if isinstance(replacement, cst.Name):
            watched.add(replacement.value)
        problems = []
        expiring = None
        refreshed = False
        for statement in statements:
            for node in walk(statement):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                    method = node.func.attr.value
                    if method in SESSION_EXPIRING and expiring is None:
                        expiring = (self.line_of(node), self.code(node.func))
                    elif (
                        method == "refresh"
                        and expiring is not None
                        and any(isinstance(arg.value, cst.Name) and arg.value.value == obj for arg in node.args)
                    ):
                        refreshed = True
        if expiring is not None:
            line, call = expiring
            if refreshed:
                problems.append(
                    f"`{call}()` at line {line} runs between building the dict and returning it: the dict holds values read "
                    f"before it, the object is serialized with the values `refresh` reloads (server defaults, onupdate "
                    f"columns, type round-trips may differ)"
                )
            else:
                problems.append(
                    f"`{call}()` at line {line} runs between building the dict and returning it without refreshing `{obj}`: "
                    f"with expire_on_commit its attributes are expired and reading them while serializing fails "
                    f"(MissingGreenlet under async SQLAlchemy)"
                )
            return problems
        # A logging call may read `o.attr` (a plain read changes nothing); `o` itself may not escape.
        read_in_log = {
            id(node.value)
            for statement in statements
            for call in walk(statement)
            if isinstance(call, cst.Call) and self.is_logging_call(call)
            for arg in call.args
            for node in walk(arg)
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
        }
        for statement in statements:
            for node in walk(statement):
                if isinstance(node, cst.Name) and node.value in watched and id(node) not in read_in_log:
                    problems.append(
                        f"`{node.value}` is used at line {self.line_of(node)} between building the dict and returning it: "
                        "the response would show the object as it is at the return"
                    )
                    return problems
                if isinstance(node, cst.Call) and not self.is_logging_call(node):
                    problems.append(
                        f"`{shorten(self.code(node.func))}(...)` at line {self.line_of(node)} runs between building the dict "
                        f"and returning it and may change `{obj}`"
                    )
                    return problems
        return problems

    def exit_problems(self, function: cst.FunctionDef, ret: cst.Return) -> list[str]:
        """Code that runs after the return value is computed but before FastAPI serializes it.

        A ``with`` block's exit (``async with session.begin():`` commits) or a ``finally``
        clause sees the object after the dict captured its values.
        """
        node: cst.CSTNode | None = ret
        while node is not None and node is not function:
            parent = self.parent(node)
            if isinstance(parent, cst.With):
                return [
                    (
                        f"the return is inside `with` at line {self.line_of(parent)}: its exit (a transaction commit, "
                        "a session close) runs before FastAPI reads the object"
                    )
                ]
            if (
                isinstance(parent, (cst.Try, cst.TryStar))
                and parent.finalbody is not None
                and node is not parent.finalbody
            ):
                return [
                    (
                        f"the return is inside `try` with `finally` at line {self.line_of(parent)}: the `finally` clause "
                        "runs before FastAPI reads the object"
                    )
                ]
            node = parent
        return []

    def is_logging_call(self, node: cst.Call) -> bool:
        if resolves_to(self, node.func, frozenset({"builtins.print"})):
            return True
        func = node.func
        return isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS and isinstance(func.value, cst.Name)

    # -- small helpers ----------------------------------------------------------------

    def built_from_attributes(self, expression: cst.BaseExpression) -> bool:
        """A dict display, dict() call or list comprehension of one, built mostly from attribute reads.

        At least half of the entries must read an attribute (``o.a``, ``str(o.a)``,
        ``o.a.isoformat()``): dicts assembled from local values, constants or calls
        are no copies of an object, not worth a finding.
        """
        if isinstance(expression, cst.ListComp):
            expression = expression.elt
        if isinstance(expression, cst.Dict):
            values = [e.value for e in expression.elements]
        elif isinstance(expression, cst.Call) and resolves_to(self, expression.func, frozenset({"builtins.dict"})):
            values = [a.value for a in expression.args]
        else:
            return False
        reads = sum(reads_attribute(value) for value in values)
        return reads > 0 and 2 * reads >= len(values)

    def assignments_of(self, name: cst.Name) -> list[Assignment]:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return []
        referents = {r for access in scope.accesses[name] if access.node is name for r in access.referents}
        return (
            [r for r in referents if isinstance(r, Assignment)]
            if all(isinstance(r, Assignment) for r in referents)
            else []
        )

    def assigned_value(self, assignment: Assignment) -> cst.BaseExpression | None:
        """The value of ``name = value`` / ``name: T = value`` for a plain-name assignment."""
        target = self.parent(assignment.node)
        if isinstance(target, cst.AssignTarget):
            assign = self.parent(target)
            return assign.value if isinstance(assign, cst.Assign) and len(assign.targets) == 1 else None
        if isinstance(target, cst.AnnAssign) and target.target is assignment.node:
            return target.value
        return None

    def statement_of(self, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
        """The line ``name = value`` when ``node`` is the lone target of a plain assignment."""
        target = self.parent(node)
        if isinstance(target, cst.AssignTarget):
            assign = self.parent(target)
            if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
                return None
        elif isinstance(target, cst.AnnAssign) and target.target is node:
            assign = target
        else:
            return None
        line = self.parent(assign)
        return line if isinstance(line, cst.SimpleStatementLine) else None

    def is_dict_annotation(self, annotation: cst.BaseExpression) -> bool:
        base = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        if resolves_to(self, base, DICT_TYPES):
            return True
        if isinstance(annotation, cst.Subscript) and resolves_to(self, base, LIST_TYPES) and len(annotation.slice) == 1:
            element = annotation.slice[0].slice
            return isinstance(element, cst.Index) and self.is_dict_annotation(element.value)
        return False

    def parent(self, node: cst.CSTNode | None) -> cst.CSTNode | None:
        return None if node is None else self.get_metadata(ParentNodeProvider, node, None)

    def code(self, node: cst.CSTNode | None) -> str:
        return "" if node is None else self.tree.code_for_node(node).strip()

    # -- rewriting, on the updated tree -------------------------------------------------

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        replacement = self.new_values.get(original_node)
        if replacement is None:
            return updated_node
        return updated_node.with_changes(value=replacement, whitespace_after_return=cst.SimpleWhitespace(" "))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not any(statement in self.removed for statement in original_node.body):
            return updated_node
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for original, updated in zip(original_node.body, updated_node.body):
            if original in self.removed:
                # Comments above (and beside) the removed assignment move to the next statement.
                carried.extend(updated.leading_lines)
                comment = updated.trailing_whitespace.comment
                if comment is not None:
                    carried.append(cst.EmptyLine(comment=comment))
                continue
            if carried:
                updated = updated.with_changes(leading_lines=[*carried, *updated.leading_lines])
                carried = []
            body.append(updated)
        return updated_node.with_changes(body=body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if original_node in self.drop_annotation:
            return updated_node.with_changes(returns=None)
        return updated_node


def model_problems(model: Model) -> list[str]:
    """Why FastAPI could not build ``model`` from the object exactly as from the dict."""
    name = model.name
    problems = []
    if model.problem:
        problems.append(f"{name} cannot be read completely: {model.problem}")
    orm_mode = model.is_true("orm_mode")
    if model.version == "v1" and not orm_mode:
        problems.append(
            f"{name} is a Pydantic v1 model without `orm_mode = True`: FastAPI cannot read it from an object"
        )
    elif model.version == "unknown" and not orm_mode and not model.problem:
        problems.append(
            f"cannot tell whether {name} is a Pydantic v1 or v2 model (the project imports no v2-only API) "
            "and it does not set `orm_mode = True`"
        )
    # Pydantic looks an object's attributes up by alias first, even with populate_by_name:
    # an object with an attribute named like the alias gives that attribute's value, where
    # the dict (keyed by field name) gave the field's. So any validation alias is refused.
    by_name = (
        " (populate_by_name does not help: the alias is tried first)"
        if model.is_true("populate_by_name", "validate_by_name", "allow_population_by_field_name")
        else ""
    )
    aliased = [
        f"`{f.name}` ({', '.join(f'{k}={v}' for k, v in f.aliases if k != 'serialization_alias')})"
        for f in model.fields.values()
        if any(k != "serialization_alias" for k, _ in f.aliases)
    ]
    if aliased and model.config.get("validate_by_alias") is not False:
        problems.append(
            f"fields of {name} have aliases: {', '.join(aliased)}; FastAPI would read the object's attributes "
            f"by alias{by_name}, the dict gave them by field name"
        )
    if model.config.get("alias_generator") is not None and model.config.get("validate_by_alias") is not False:
        problems.append(
            f"{name} sets alias_generator: FastAPI would read the object's attributes by the generated aliases{by_name}"
        )
    if model.before_validators:
        problems.append(
            f"{name} has validators that see the raw input ({', '.join(model.before_validators)}): "
            "they would get the object instead of a dict"
        )
    return problems


def key_problems(keys: list[str], model: Model) -> list[str]:
    fields = model.fields
    missing = [name for name in fields if name not in keys]
    extra = [key for key in keys if key not in fields]
    problems = []
    with_default = [name for name in missing if fields[name].has_default]
    required = [name for name in missing if not fields[name].has_default]
    if with_default:
        problems.append(
            f"dict keys miss fields of {model.name} with defaults: {', '.join(with_default)}; "
            "returning the object would fill them from it"
        )
    if required:
        problems.append(f"dict keys miss required fields of {model.name}: {', '.join(required)}")
    if extra:
        problems.append(
            f"dict keys that are not fields of {model.name}: {', '.join(extra)}; check the response model is the intended one"
        )
    return problems


def own_returns(function: cst.FunctionDef) -> Iterator[cst.Return]:
    """Return statements of ``function`` itself, not of functions or classes nested in it."""
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            yield node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(reversed(node.children))


def reads_attribute(value: cst.BaseExpression) -> bool:
    """Whether ``value`` reads ``name.attr``, other than to call a method or inside a comprehension."""
    nodes = list(walk(value, skip=(cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)))
    methods = {id(node.func) for node in nodes if isinstance(node, cst.Call)}
    return any(
        isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and id(node) not in methods
        for node in nodes
    )


def walk(node: cst.CSTNode, skip: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """``node`` and its descendants, not descending into nodes of the ``skip`` types."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, skip):
            stack.extend(reversed(current.children))


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
