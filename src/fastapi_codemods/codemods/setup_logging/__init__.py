"""Add JSON logging with request ids when the project configures no logging at all.

Audit item 14 (structured logging): without a logging configuration the root
logger has no handler and level WARNING (uvicorn configures only its own
loggers), so every ``logger.info(...)`` of the application, including those that
print_to_logging just wrote, prints nothing. This creates a small module with
``setup_logging()`` (one JSON object per line on stdout, level from an environment
variable) and a pure ASGI ``RequestIdMiddleware``, and wires both into the module
that builds the main ``FastAPI`` app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import ParentNodeProvider

from fastapi_codemods.analysis import logging_plan
from fastapi_codemods.analysis.logging_plan import LoggingPlan
from fastapi_codemods.codemods.setup_logging._template import render
from fastapi_codemods.cst.fastapi import app_construction_calls
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

Body = Sequence[cst.BaseStatement]


class SetupLogging(Transform):
    PREFILTER = ("FastAPI",)
    FILE_PASSES = logging_plan.FILE_PASSES
    OPTIONS = logging_plan.OPTIONS

    facts: LoggingPlan | None

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> LoggingPlan | None:
        return logging_plan.plan(project, options)

    @classmethod
    def new_files(cls, facts: LoggingPlan | None, options: Mapping[str, Any]) -> dict[str, str]:
        if facts is None or facts.finding is not None:
            return {}
        return {facts.module_relpath: render(facts.use_jsonlogger, options.get("log_level_env", "LOG_LEVEL"))}

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: LoggingPlan | None) -> bool:
        """Without a plan there is nothing to do; with one, only its files change."""
        return facts is not None and file.relpath in facts.candidates

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # The pipeline asks `wants` first; a direct caller gets the same answer.
        if self.facts is None or self.file.relpath not in self.facts.candidates:
            return tree
        return super().transform_module(tree)

    def visit_Module(self, node: cst.Module) -> bool:
        plan = self.facts
        assert plan is not None
        calls = app_construction_calls(self, node)
        self._after: dict[cst.CSTNode, str] = {}
        self._setup_in: cst.CSTNode | None = None
        self._setup_before: cst.CSTNode | None = None
        if not plan.finding:
            for other in plan.others:
                if other.relpath == self.file.relpath and other.construction < len(calls):
                    self.report(
                        calls[other.construction],
                        f"this module builds another FastAPI app; logging was set up for the one in "
                        f"{plan.app_relpath} only: if this app is served by a process of its own, call "
                        "setup_logging() and add RequestIdMiddleware here too",
                    )
        if self.file.relpath != plan.app_relpath:
            return False
        if len(calls) != plan.construction_count:
            if calls:
                self.report(
                    calls[0],
                    "could not match the FastAPI(...) calls of the project analysis; "
                    "logging setup not wired here: add setup_logging() and RequestIdMiddleware by hand",
                )
            return False
        chosen = [calls[index] for index in plan.constructions]
        if plan.finding is not None:
            self.report(chosen[0], plan.finding)
            return False
        if any(self.is_skipped(call) for call in chosen):
            return False
        function = self._ancestor(chosen[0], cst.FunctionDef)
        for call in chosen:
            statement = self._ancestor(call, cst.SimpleStatementLine)
            assignment = self.get_metadata(ParentNodeProvider, call)
            if (
                statement is None
                or not isinstance(assignment, (cst.Assign, cst.AnnAssign))
                or (function is not None and not isinstance(function.body, cst.IndentedBlock))
            ):
                # One-line blocks (``if x: app = FastAPI()``, ``def f(): ...``) have no line to add.
                self.report(
                    call,
                    "this FastAPI app is built on a one-line block: logging setup not wired; "
                    "add setup_logging() and RequestIdMiddleware by hand",
                )
                self._after.clear()
                return False
            target = assignment.targets[0].target if isinstance(assignment, cst.Assign) else assignment.target
            self._after[statement] = node.code_for_node(target)
        if function is not None:
            self._setup_in = function
        else:
            self._setup_before = self._top_level(chosen[0])
        return True

    def _ancestor(self, node: cst.CSTNode, kind: type[cst.CSTNode]) -> Any:
        current = self.get_metadata(ParentNodeProvider, node, None)
        while current is not None and not isinstance(current, kind):
            current = self.get_metadata(ParentNodeProvider, current, None)
        return current

    def _top_level(self, node: cst.CSTNode) -> cst.CSTNode:
        while not isinstance(parent := self.get_metadata(ParentNodeProvider, node), cst.Module):
            node = parent
        return node

    def _with_middleware(self, original: Body, updated: Body) -> list[cst.BaseStatement]:
        body: list[cst.BaseStatement] = []
        for before, after in zip(original, updated, strict=True):
            body.append(after)
            if before in self._after:
                body.append(cst.parse_statement(f"{self._after[before]}.add_middleware(RequestIdMiddleware)"))
        return body

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not self._after:
            return updated_node
        return updated_node.with_changes(body=self._with_middleware(original_node.body, updated_node.body))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if original_node is not self._setup_in or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        body = list(updated_node.body.body)
        start = 1 if body and _is_docstring(body[0]) else 0
        body.insert(start, cst.parse_statement("setup_logging()"))
        self._add_imports()
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self._after:
            return updated_node
        body = list(updated_node.body)
        if self._setup_before is not None:
            index = next(i for i, s in enumerate(original_node.body) if s is self._setup_before)
            imports = [i for i, s in enumerate(original_node.body[:index]) if _is_import(s)]
            position = imports[-1] + 1 if imports else index
            following = body[position]
            blank = []
            for line in following.leading_lines:
                if line.comment is not None:
                    break
                blank.append(cst.EmptyLine())
            call = cst.parse_statement("setup_logging()").with_changes(leading_lines=blank)
            original = [*original_node.body[:position], call, *original_node.body[position:]]
            body = [*body[:position], call, *body[position:]]
            self._add_imports()
        else:
            original = list(original_node.body)
        return updated_node.with_changes(body=self._with_middleware(original, body))

    def _add_imports(self) -> None:
        plan = self.facts
        assert plan is not None
        for name in logging_plan.IMPORTED_NAMES:
            AddImportsVisitor.add_needed_import(
                self.context, plan.import_module, name, relative=plan.import_level
            )


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
