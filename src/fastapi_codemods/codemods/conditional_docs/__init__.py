"""Serve Swagger UI, ReDoc and the OpenAPI schema only when a settings flag allows it.

Audit item "Swagger/ReDoc docs exposed in production" and FastAPI's "Conditional
OpenAPI" docs: every ``FastAPI(...)`` gets ``openapi_url``, ``docs_url`` and
``redoc_url`` as ``<url> if FLAG else None``. ``openapi_url`` is always included:
the docs pages need it, and without it the schema stays public. FLAG comes from the
project's settings (its debug flag or an environment-name allow-list), from
configuration, or, where the project has no settings, from an environment variable
that fails closed. A FLAG longer than a dotted name is computed once, in
``API_DOCS_ENABLED = FLAG`` just before the app is built, so that the change reads
in a few lines. An app whose docs the project uses (its code, templates, static
files or tests name a docs URL, or it replaces ``app.openapi``) is left alone with
a finding.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider, ScopeProvider
from libcst.metadata.scope_provider import Assignment, GlobalScope

from fastapi_codemods.analysis import docs_gates
from fastapi_codemods.analysis.docs_decision import (
    COMPUTED,
    CONDITIONAL,
    FIXED,
    OFF,
    Keyword,
    decide,
    flag_local_reason,
    flag_plan,
    flag_taken_reason,
    flag_undefined_reason,
    kwargs_reason,
    lent_note,
    rival_reason,
)
from fastapi_codemods.analysis.docs_gates import (
    DEFAULT_URLS,
    DOCS_KEYS,
    DocsFacts,
    FlagPlan,
    analyze,
)
from fastapi_codemods.cst.layout import (
    where_of,
    CALL_ARGS,
    DICT_ENTRIES,
    INDENT,
    LINE_LENGTH,
    Where,
    _separator,
    code,
    rebuild,
)
from fastapi_codemods.cst.fastapi import (
    app_and_router_targets,
    app_construction_calls,
    bound_to,
    qualified_names,
)
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

DOCS_HELPERS = frozenset(
    {
        "fastapi.openapi.docs.get_swagger_ui_html",
        "fastapi.openapi.docs.get_redoc_html",
    }
)
# The name of the flag computed once, at module level and inside a function; then
# ``_2``, ``_3``... when the module already uses it.
MODULE_FLAG = "API_DOCS_ENABLED"
LOCAL_FLAG = "api_docs_enabled"
MORE_NAMES = 9
SHOWN_REQUESTS = 3


@dataclass
class _Edit:
    """One call or ``**kwargs`` dict to rewrite: the ``changed`` keys (a fixed URL
    now conditional) and ``added`` ones get ``<url> if test else None``. ``flag``:
    ``test`` is the project's docs flag (not a condition the app already had), which
    may be computed once before the statement."""

    changed: frozenset[str]
    added: list[str]
    test: cst.BaseExpression
    flag: bool


def _keyword(value: cst.BaseExpression) -> Keyword:
    """The docs keyword as `docs_decision` reads it: fixed (a string the project
    wrote), none (``None`` or ``""``), conditional or computed."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)) and not value.evaluated_value:
        kind = OFF  # FastAPI serves nothing at a falsy URL, as for None
    elif isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        kind = FIXED
    elif isinstance(value, cst.Name) and value.value == "None":
        kind = OFF
    elif isinstance(value, cst.IfExp):
        kind = CONDITIONAL
    else:
        kind = COMPUTED
    test = _none_branch_test(value)
    return Keyword(kind, code(value), code(test) if test is not None else None)


def _none_branch_test(value: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """COND of ``url if COND else None``."""
    if isinstance(value, cst.IfExp) and isinstance(value.orelse, cst.Name) and value.orelse.value == "None":
        return value.test
    return None


class ConditionalDocs(Transform):
    # Every case names one of these: the class (under any alias it is spelt
    # ``...FastAPI``), the keywords or the docs helpers. (Tests requesting the docs
    # are read by the project analysis only.)
    PREFILTER = (
        "FastAPI",
        "openapi_url",
        "docs_url",
        "redoc_url",
        "get_swagger_ui_html",
        "get_redoc_html",
    )
    FILE_PASSES = docs_gates.FILE_PASSES
    OPTIONS = docs_gates.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> DocsFacts:
        return analyze(project, options)

    @classmethod
    def kept(cls, facts: DocsFacts | None) -> tuple[str, ...]:
        if facts is None or not facts.kept:
            return ()
        shown = ", ".join(f"{app} ({use})" for app, use in facts.kept[:SHOWN_REQUESTS])
        more = len(facts.kept) - SHOWN_REQUESTS
        count = len(facts.kept)
        return (
            f"kept the docs of {count} app module{'s' if count > 1 else ''} whose docs the project uses: "
            f"{shown}{f' and {more} more' if more > 0 else ''}",
        )

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: DocsFacts | None) -> bool:
        """Only modules building an app, setting docs attributes or calling a docs
        page helper (decided by the project analysis)."""
        known = facts.candidates.wants(file.relpath) if facts is not None and facts.candidates else None
        return cls.matches_text(text) if known is None else known

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Black's two blank lines after an import we added to a module that had none."""
        new = super().transform_module(tree)
        if _first_def_after_imports(tree) is not None or new is tree:
            return new
        index = _first_def_after_imports(new)
        if index is None:
            return new
        statement = new.body[index]
        blank = [line for line in statement.leading_lines if line.comment is None]
        if len(blank) >= 2 or len(blank) != len(statement.leading_lines):
            return new
        fixed = statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        return new.with_changes(body=[*new.body[:index], fixed, *new.body[index + 1 :]])

    # -- planning -------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self._lines = node.code.splitlines()
        self._edits: dict[cst.CSTNode, _Edit] = {}
        self._insert_before: dict[cst.CSTNode, cst.SimpleStatementLine] = {}
        self._app_targets = app_and_router_targets(self, node)
        self._noted = False
        facts: DocsFacts = self.facts or DocsFacts()
        self._requests = facts.app_requests.get(self.file.relpath, ())
        calls = app_construction_calls(self, node, skip_data=True)
        if not calls:
            return
        plan = self._flag_plan(facts, calls[0])
        if plan is None:
            return
        branches = {call: self._enclosing_ifs(call) for call in calls}
        for call in calls:
            if self.is_skipped(call):
                continue
            rivals = [other for other in calls if other is not call and branches[other] & branches[call]]
            if rivals:
                self.report(call, rival_reason(self.line_of(rivals[0])))
                continue
            self._plan_call(call, plan)
        self._compute_once(node, plan)

    def _enclosing_ifs(self, node: cst.CSTNode) -> set[cst.If]:
        found: set[cst.If] = set()
        current = self.get_metadata(cst.metadata.ParentNodeProvider, node, None)
        while current is not None:
            if isinstance(current, cst.If):
                found.add(current)
            current = self.get_metadata(cst.metadata.ParentNodeProvider, current, None)
        return found

    def _flag_plan(self, facts: DocsFacts, first_call: cst.Call) -> FlagPlan | None:
        plan = flag_plan(facts, self.file.relpath, self.options)
        if isinstance(plan, str):
            self.report(first_call, plan)
            return None
        return plan

    def _plan_call(self, call: cst.Call, plan: FlagPlan) -> None:
        stars = [arg for arg in call.args if arg.star == "**"]
        target: cst.CSTNode = call
        if stars:
            found = self._kwargs_dict(call, stars)
            if found is None:
                return
            target = found
            values = {
                str(e.key.evaluated_value): e.value  # type: ignore[union-attr]
                for e in found.elements
                if isinstance(e, cst.DictElement) and str(e.key.evaluated_value) in DOCS_KEYS  # type: ignore[union-attr]
            }
        else:
            values = {
                arg.keyword.value: arg.value
                for arg in call.args
                if arg.keyword is not None and arg.keyword.value in DOCS_KEYS
            }
        keywords = {key: _keyword(value) for key, value in values.items()}
        # Before the flag's import is scheduled: a refused app stays byte-identical.
        decision = decide(keywords, self.facts or DocsFacts(), self.file.relpath, self.file.path)
        if decision.reason is not None:
            self.report(call, decision.reason)
            return
        if decision.condition is not None:
            test = next(
                t for key in ("docs_url", "redoc_url")
                if (t := _none_branch_test(values.get(key))) is not None and code(t) == decision.condition
            )
        else:
            test = self._flag_expression(call, plan)
            if test is None:
                return
        own = decision.condition is None
        self._edits[target] = _Edit(decision.changed, list(decision.added), test, flag=own)
        if not own:
            self.report(call, lent_note(decision))
        elif not self._noted:
            self._noted = True
            for note in plan.notes:
                self.report(call, note)

    def _flag_expression(self, call: cst.Call, plan: FlagPlan) -> cst.BaseExpression | None:
        """The flag, after checking its first name means what the plan says here."""
        expression = cst.parse_expression(plan.expression)
        if plan.local is None:
            return expression
        scope = self.get_metadata(ScopeProvider, call, None)
        assignments = list(scope[plan.local]) if scope is not None and plan.local in scope else []
        needs_import = plan.import_from is not None or plan.plain_import is not None
        module_level = [a for a in assignments if isinstance(a.scope, GlobalScope)]
        local = [a for a in assignments if not isinstance(a.scope, GlobalScope)]
        if local and not all(self._is_settings_parameter(a, plan) for a in local):
            self.report(call, flag_local_reason(plan))
            return None
        if needs_import and module_level and not self._is_same_import(module_level, plan):
            self.report(call, flag_taken_reason(plan))
            return None
        if not local and not module_level and not needs_import and plan.local not in dir(builtins):
            self.report(call, flag_undefined_reason(plan))
            return None
        if not local and not module_level:
            if plan.import_from is not None:
                module, name = plan.import_from
                AddImportsVisitor.add_needed_import(self.context, module, name)
            elif plan.plain_import is not None:
                AddImportsVisitor.add_needed_import(self.context, plan.plain_import)
        return expression

    def _is_settings_parameter(self, assignment: Any, plan: FlagPlan) -> bool:
        """``def create_app(settings: Settings)``: the local is the settings object itself."""
        if plan.source_class is None or not isinstance(assignment, Assignment):
            return False
        node = assignment.node
        if not isinstance(node, cst.Param) or node.annotation is None:
            return False
        wanted = plan.source_class.rpartition(".")[2]
        return any(name.rpartition(".")[2] == wanted for name in qualified_names(self, node.annotation.annotation))

    def _is_same_import(self, assignments: list[Any], plan: FlagPlan) -> bool:
        """Every module-level binding of the flag's name is the import the plan would add."""
        return all(self._binds_planned_import(getattr(a, "node", None), plan) for a in assignments)

    def _binds_planned_import(self, node: cst.CSTNode | None, plan: FlagPlan) -> bool:
        if plan.plain_import is not None and isinstance(node, cst.Import):
            # ``import os.path`` binds ``os`` as well as ``import os`` does.
            root = plan.plain_import.split(".")[0]
            return any(code(alias.name).split(".")[0] == root and alias.asname is None for alias in node.names)
        if plan.import_from is not None and isinstance(node, cst.ImportFrom) and node.module is not None:
            return "." * len(node.relative) + code(node.module) == plan.import_from[0]
        return False

    def _kwargs_dict(self, call: cst.Call, stars: list[cst.Arg]) -> cst.Dict | None:
        """The dict literal behind ``FastAPI(**kwargs)`` when rewriting it is safe."""
        explicit = [a.keyword.value for a in call.args if a.keyword is not None and a.keyword.value in DOCS_KEYS]
        star = stars[0].value
        if len(stars) != 1 or explicit or not isinstance(star, cst.Name):
            self.report(call, kwargs_reason(code(star), "explicit"))
            return None
        scope = self.get_metadata(ScopeProvider, star, None)
        assignments = list(scope[star.value]) if scope is not None and star.value in scope else []
        single = assignments[0] if len(assignments) == 1 else None
        statement = self.get_metadata(cst.metadata.ParentNodeProvider, single.node, None) if single else None
        if (
            single is None
            or not isinstance(statement, cst.AssignTarget)
            or single.scope is not scope
            or len(single.references) != 1
        ):
            self.report(call, kwargs_reason(star.value, "elsewhere"))
            return None
        assign = self.get_metadata(cst.metadata.ParentNodeProvider, statement)
        value = assign.value if isinstance(assign, cst.Assign) and len(assign.targets) == 1 else None
        if not isinstance(value, cst.Dict) or not all(
            isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) for e in value.elements
        ):
            self.report(call, kwargs_reason(star.value, "not_literal"))
            return None
        return value

    # -- the flag computed once -------------------------------------------------

    def _compute_once(self, module: cst.Module, plan: FlagPlan) -> None:
        """``API_DOCS_ENABLED = FLAG`` before the first statement building an app,
        and ``<url> if API_DOCS_ENABLED else None`` in it and the apps after it, for
        a FLAG longer than a dotted name. Apps built in a function get their own local
        (``api_docs_enabled``) there, read when the function runs as the inline FLAG
        was. An app before the first place the assignment can go keeps the inline FLAG."""
        groups: dict[cst.CSTNode, list[tuple[int, cst.CSTNode, bool, _Edit]]] = {}
        for target, edit in self._edits.items():
            if not edit.flag or _dotted(edit.test):
                continue
            place = self._place(target, plan.pure)
            if place is not None:
                owner, statement, movable = place
                line = self.get_metadata(PositionProvider, statement).start.line
                groups.setdefault(owner, []).append((line, statement, movable, edit))
        for owner, members in groups.items():
            members.sort(key=lambda member: member[0])
            first = next((i for i, (_, _, movable, _) in enumerate(members) if movable), None)
            if first is None:
                continue
            name = self._flag_name(owner, members[first][3].test, members[first][1])
            if name is None:
                continue
            for _, _, _, edit in members[first:]:
                edit.test = cst.Name(name)

    def _place(self, target: cst.CSTNode, pure: bool) -> tuple[cst.CSTNode, cst.CSTNode, bool] | None:
        """(the module or function whose scope builds ``target``, the statement of its
        body holding it, whether the assignment may go just before that statement);
        None when the app is built in a lambda (called who knows when).

        Only the fallback FLAG (it reads the environment, nothing else) may go before
        any statement; the project's own expression only before a statement that is
        just ``x = target`` or ``return target``, so that nothing runs in between. A
        statement after that one reads the name wherever it builds the app."""
        child: cst.CSTNode = target
        block_statement: tuple[cst.CSTNode, cst.CSTNode] | None = None
        node = self.get_metadata(cst.metadata.ParentNodeProvider, target, None)
        while node is not None:
            if isinstance(node, cst.Lambda):
                return None
            if isinstance(node, (cst.Module, cst.IndentedBlock)):
                block_statement = (node, child)
            if isinstance(node, cst.Module) or (isinstance(node, cst.FunctionDef) and child is node.body):
                block = node if isinstance(node, cst.Module) else node.body
                if block_statement is None or block_statement[0] is not block:
                    return None  # a one-line ``def f(): return FastAPI()``
                statement = block_statement[1]
                movable = not isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and (
                    pure or _just_holds(statement, target)
                )
                return node, statement, movable
            child, node = node, self.get_metadata(cst.metadata.ParentNodeProvider, node, None)
        return None

    def _flag_name(self, owner: cst.CSTNode, expression: cst.BaseExpression, statement: cst.CSTNode) -> str | None:
        """A name the module does not use yet, with its assignment planned before
        ``statement``, or one an earlier statement of the block already assigns this
        expression to. None when no name is free or the assignment cannot be written
        as black would (the inline FLAG stays)."""
        at_module = isinstance(owner, cst.Module)
        if at_module and _star_import(owner):
            return None
        base = MODULE_FLAG if at_module else LOCAL_FLAG
        column = self.get_metadata(PositionProvider, statement).start.column
        # A module-level name must be unused everywhere; a function's local only in
        # that function (and the functions nested in it), where it shadows the rest.
        used = self._used_names(None if at_module else self.get_metadata(ScopeProvider, statement, None))
        for number in range(1, MORE_NAMES + 1):
            name = base if number == 1 else f"{base}_{number}"
            if name in used:
                if self._assigned_before(name, expression, statement):
                    return name
                continue
            assignment = _assignment(name, expression, column)
            if assignment is None:
                return None
            self._insert_before[statement] = assignment
            return name
        return None

    def _used_names(self, within: Any = None) -> set[str]:
        """Every name bound or read in any scope of the module, or only in the scope
        ``within`` and those nested in it."""
        used: set[str] = set()
        for scope in self._scopes():
            if within is not None and not _nested_in(scope, within):
                continue
            used.update(a.name for a in scope.assignments)
            used.update(a.node.value for a in scope.accesses if isinstance(a.node, cst.Name))
        return used

    def _assigned_before(self, name: str, expression: cst.BaseExpression, statement: cst.CSTNode) -> bool:
        """The only binding of ``name`` in the module is ``name = <expression>``, a
        statement of the same block before ``statement`` (an earlier run computed it
        for another app)."""
        bindings = [a for s in self._scopes() for a in s.assignments if a.name == name]
        if len(bindings) != 1 or not isinstance(bindings[0].node, cst.Name):
            return False
        parent = self.get_metadata(cst.metadata.ParentNodeProvider, bindings[0].node, None)  # the AssignTarget
        assign = self.get_metadata(cst.metadata.ParentNodeProvider, parent, None) if parent is not None else None
        if not (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and assign.targets[0] is parent
            and code(assign.value) == code(expression)
        ):
            return False
        line = self.get_metadata(cst.metadata.ParentNodeProvider, assign, None)
        block = self.get_metadata(cst.metadata.ParentNodeProvider, statement, None)
        body = list(getattr(block, "body", ()))
        where = {id(s): i for i, s in enumerate(body)}
        return id(line) in where and where[id(line)] < where[id(statement)]

    def _scopes(self) -> set[Any]:
        return {s for s in self.metadata[ScopeProvider].values() if s is not None}

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return self._with_assignments(original_node, updated_node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return self._with_assignments(original_node, updated_node)

    def _with_assignments(self, original_node: Any, updated_node: Any) -> Any:
        if not self._insert_before or not any(s in self._insert_before for s in original_node.body):
            return updated_node
        body: list[cst.CSTNode] = []
        for old, new in zip(original_node.body, updated_node.body):
            assignment = self._insert_before.get(old)
            if assignment is not None:
                # Blank lines go above the assignment; comments stay with the statement.
                lines = list(new.leading_lines)
                blank = 0
                while blank < len(lines) and lines[blank].comment is None:
                    blank += 1
                body.append(assignment.with_changes(leading_lines=lines[:blank]))
                new = new.with_changes(leading_lines=lines[blank:])
            body.append(new)
        return updated_node.with_changes(body=body)

    # -- findings that need no rewrite -----------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            attribute = target.target
            if (
                isinstance(attribute, cst.Attribute)
                and attribute.attr.value in DOCS_KEYS
                and isinstance(attribute.value, cst.Name)
                and bound_to(self, attribute.value, self._app_targets)
            ):
                self.report(
                    node,
                    f"setting {code(attribute)} after FastAPI() has no effect (the docs routes are added in "
                    f"FastAPI.__init__); pass {attribute.attr.value}= to FastAPI() instead and remove this line",
                )

    def visit_Call(self, node: cst.Call) -> None:
        """A custom docs page reading ``app.openapi_url``, unless an ``if`` already
        guards it (``if api_docs_enabled: @app.get("/docs")...``, seen on lightrag)."""
        if not qualified_names(self, node.func) & DOCS_HELPERS or self._enclosing_ifs(node):
            return
        for arg in node.args:
            if any(
                isinstance(sub, cst.Attribute) and sub.attr.value == "openapi_url"
                for sub in _walk(arg.value)
            ):
                self.report(
                    node,
                    f"custom docs page reads {code(arg.value)}: it is None when the docs flag is off, so guard "
                    "this route with the same flag (or remove it in production)",
                )
                return

    # -- rewriting -------------------------------------------------------------

    def _where(self, node: cst.CSTNode, first: cst.CSTNode | None) -> Where:
        return where_of(self, self._lines, node, first)

    def _values(self, keys: list[str], test: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]]:
        return [(key, _conditional(cst.SimpleString(f'"{DEFAULT_URLS[key]}"'), test)) for key in keys]

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        edit = self._edits.get(original_node)
        if edit is None:
            return updated_node
        indexes = {
            index: _conditional(arg.value, edit.test)
            for index, arg in enumerate(updated_node.args)
            if arg.keyword is not None and arg.keyword.value in edit.changed
        }
        where = self._where(original_node, original_node.args[0] if original_node.args else None)
        rebuilt = rebuild(
            updated_node.args,
            updated_node.whitespace_before_args,
            None,
            indexes,
            self._values(edit.added, edit.test),
            CALL_ARGS,
            where,
            lambda elements, opening, _closing: updated_node.with_changes(args=elements, whitespace_before_args=opening),
        )
        return rebuilt.visit(_DropReplacedComments())  # type: ignore[return-value]

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.BaseExpression:
        edit = self._edits.get(original_node)
        if edit is None:
            return updated_node
        indexes = {
            index: _conditional(element.value, edit.test)
            for index, element in enumerate(updated_node.elements)
            if isinstance(element, cst.DictElement) and str(element.key.evaluated_value) in edit.changed  # type: ignore[union-attr]
        }
        where = self._where(original_node, original_node.elements[0] if original_node.elements else None)

        def render(elements: list, opening: Any, closing: Any) -> cst.Dict:
            return updated_node.with_changes(
                elements=elements,
                lbrace=updated_node.lbrace.with_changes(whitespace_after=opening),
                rbrace=updated_node.rbrace.with_changes(
                    whitespace_before=closing if closing is not None else updated_node.rbrace.whitespace_before
                ),
            )

        rebuilt = rebuild(
            updated_node.elements,
            updated_node.lbrace.whitespace_after,
            updated_node.rbrace.whitespace_before,
            indexes,
            self._values(edit.added, edit.test),
            DICT_ENTRIES,
            where,
            render,
        )
        return rebuilt.visit(_DropReplacedComments())  # type: ignore[return-value]


_REPLACED_COMMENT = re.compile(r"#\s*[\"']?(openapi_url|docs_url|redoc_url)[\"']?\s*[=:]")


class _DropReplacedComments(cst.CSTTransformer):
    """Drops the commented-out ``# docs_url="/docs"`` lines of a rewritten call or
    dict: the new keywords replace them, and beside them they read as a second,
    contradicting setting."""

    def leave_ParenthesizedWhitespace(
        self, original_node: cst.ParenthesizedWhitespace, updated_node: cst.ParenthesizedWhitespace
    ) -> cst.ParenthesizedWhitespace:
        kept = [line for line in updated_node.empty_lines if not _replaced(line.comment)]
        if len(kept) == len(updated_node.empty_lines):
            return updated_node
        return updated_node.with_changes(empty_lines=kept)


def _replaced(comment: cst.Comment | None) -> bool:
    return comment is not None and _REPLACED_COMMENT.match(comment.value) is not None


def _dotted(expression: cst.BaseExpression) -> bool:
    """``DEBUG``, ``settings.DEBUG``, ``config.settings.debug``: short enough inline."""
    while isinstance(expression, cst.Attribute):
        expression = expression.value
    return isinstance(expression, cst.Name)


def _just_holds(statement: cst.CSTNode, target: cst.CSTNode) -> bool:
    """``x = target``, ``x: T = target`` or ``return target``, alone on its line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, (cst.Assign, cst.AnnAssign, cst.Return)) and small.value is target


def _nested_in(scope: Any, within: Any) -> bool:
    while scope is not within:
        if scope.parent is scope:  # the builtins
            return False
        scope = scope.parent
    return True


def _star_import(module: cst.Module) -> bool:
    """``from x import *`` at module level may bind any name."""
    return any(
        isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar)
        for statement in module.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )


def _assignment(name: str, expression: cst.BaseExpression, column: int) -> cst.SimpleStatementLine | None:
    """``name = expression`` as black writes it at ``column``: on one line, else with
    the tuple ending a comparison exploded (``x = a in (`` ... ``)``), else None."""
    one_line = cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=expression)])
    text = code(expression)
    if "\n" in text:
        return None
    if column + len(name) + 3 + len(text) <= LINE_LENGTH:
        return one_line
    last = expression.comparisons[-1] if isinstance(expression, cst.Comparison) else None
    tuple_ = last.comparator if last is not None else None
    if not isinstance(tuple_, cst.Tuple) or not tuple_.lpar or not tuple_.elements:
        return None
    head = code(expression.with_changes(comparisons=[*expression.comparisons[:-1], last.with_changes(comparator=cst.Name("x"))]))
    if column + len(name) + 3 + len(head) > LINE_LENGTH:
        return None
    elements = [
        element.with_changes(comma=cst.Comma(whitespace_after=_separator(INDENT if i < len(tuple_.elements) - 1 else "")))
        for i, element in enumerate(tuple_.elements)
    ]
    exploded = tuple_.with_changes(
        elements=elements,
        lpar=[cst.LeftParen(whitespace_after=_separator(INDENT))],
        rpar=[cst.RightParen(whitespace_before=cst.SimpleWhitespace(""))],
    )
    value = expression.with_changes(comparisons=[*expression.comparisons[:-1], last.with_changes(comparator=exploded)])
    return one_line.with_changes(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=value)])


def _first_def_after_imports(module: cst.Module) -> int | None:
    """Index of a def/class right after the module's last top-level import, if any."""
    last = None
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(part, (cst.Import, cst.ImportFrom)) for part in statement.body
        ):
            last = index
    if last is None or last + 1 >= len(module.body):
        return None
    following = module.body[last + 1]
    return last + 1 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else None


def _conditional(value: cst.BaseExpression, test: cst.BaseExpression) -> cst.IfExp:
    return cst.IfExp(test=test, body=value, orelse=cst.Name("None"))


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)
