"""Serve production without reload and with several workers: the app's own start command, else gunicorn.

Audit item 15 (production deployment) and FastAPI's "Server Workers" docs: a
``uvicorn.run(..., reload=True)`` in an ``if __name__ == "__main__":`` block follows the
project's debug setting instead (``reload=settings.DEBUG``). The command that starts
the app today (a Dockerfile, compose file, Procfile or script, up to the git work
tree and in the app's own folders) gets ``--workers``; only when nothing starts it
does the project get a ``gunicorn.conf.py`` beside its app package (workers from
``WEB_CONCURRENCY``, else 2 x cores + 1, the ``uvicorn-worker`` worker class, the
access log on the console), with ``gunicorn``, ``uvicorn-worker`` and
``uvicorn[standard]`` added to the dependency declaration. Neither happens when the
app's startup does work that must run once per deployment (migrations,
``create_all``, schedulers, listeners, subprocesses) or reads state only
``__main__`` sets: each is a finding naming the line (`analysis.startup_work`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import ParentNodeProvider, ScopeProvider

from fastapi_codemods.analysis import server_plan
from fastapi_codemods.analysis.deployment import DEVELOPMENT_WORDS, SERVER_CALLS, words
from fastapi_codemods.analysis.server_plan import RUN_CALLS, ReloadPlan, ServerPlan
from fastapi_codemods.codemods.production_server._config import render
from fastapi_codemods.analysis.launchers import LauncherPlan
from fastapi_codemods.cst.fastapi import app_construction_calls, qualified_names
from fastapi_codemods.cst.layout import CALL_ARGS, rebuild, where_of
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

OUTSIDE_MAIN_REASON = (
    'reload=True outside an `if __name__ == "__main__":` block (a launcher production may run): left '
    "unchanged; pass reload=<your debug setting>"
)
CONFIG_REASON = (
    "uvicorn.Config(..., reload=True): left unchanged (production_server rewrites uvicorn.run only); "
    "pass reload=<your debug setting>"
)


class ProductionServer(Transform):
    PREFILTER = ("uvicorn", "FastAPI")
    FILE_PASSES = server_plan.FILE_PASSES
    OPTIONS = server_plan.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    facts: ServerPlan | None

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> ServerPlan:
        return server_plan.plan(project, options)

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: ServerPlan | None) -> bool:
        """Only the modules with a literal reload=True and the main app's module."""
        return facts is not None and file.relpath in facts.candidates

    @classmethod
    def new_files(cls, facts: ServerPlan | None, options: Mapping[str, Any]) -> dict[str, str]:
        if facts is None or not facts.config:
            return {}
        return {facts.config: render(facts.command)}

    @classmethod
    def edited_files(cls, facts: ServerPlan | None, options: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
        return dict(facts.edits) if facts is not None else {}

    @classmethod
    def kept(cls, facts: ServerPlan | None) -> tuple[str, ...]:
        return facts.kept if facts is not None else ()

    def visit_Module(self, node: cst.Module) -> None:
        facts = self.facts or ServerPlan()
        self._plan = facts.reloads.get(self.file.relpath)
        self._launcher = facts.launchers.get(self.file.relpath)
        self._runs = 0
        self._launch_target: cst.Call | None = None
        self._lines = node.code.splitlines()
        if self.file.relpath in facts.findings:
            index, reasons = facts.findings[self.file.relpath]
            calls = app_construction_calls(self, node)
            for reason in reasons:
                self.report(calls[index] if index < len(calls) else 1, reason)

    def visit_Call(self, node: cst.Call) -> None:
        """Counts the ``uvicorn.run`` calls in source order: the launcher plan names its call by that index."""
        if self._launcher is not None and qualified_names(self, node.func) & RUN_CALLS:
            if self._runs == self._launcher.index:
                self._launch_target = node
            self._runs += 1

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        updated = self._reload(original_node, updated_node)
        if original_node is self._launch_target and self._launcher is not None and isinstance(updated, cst.Call):
            return self._launch(original_node, updated, self._launcher)
        return updated

    def _launch(self, original_node: cst.Call, updated_node: cst.Call, plan: LauncherPlan) -> cst.Call:
        """``uvicorn.run(app, ...)`` started by a deployment file gets ``workers=`` and
        the app as an import string (`analysis.launchers`)."""
        if self.is_skipped(original_node):
            return updated_node
        scope = self.get_metadata(ScopeProvider, original_node, None)
        if scope is not None and "os" in scope and not all(
                isinstance(a.node, cst.Import) for a in scope["os"] if hasattr(a, "node")):
            self.report(original_node, "uvicorn.run left unchanged: 'os' is bound to something else in this module; "
                                       f"pass workers={plan.workers} by hand")
            return updated_node
        changed: dict[int, cst.BaseExpression] = {}
        if plan.app is not None:
            index = next((i for i, arg in enumerate(updated_node.args)
                          if arg.keyword is None or arg.keyword.value == "app"), None)
            if index is not None:
                changed[index] = cst.SimpleString(f'"{plan.app}"')
        AddImportsVisitor.add_needed_import(self.context, "os")
        where = where_of(self, self._lines, original_node, original_node.args[0] if original_node.args else None)
        return rebuild(  # type: ignore[return-value]
            updated_node.args, updated_node.whitespace_before_args, None, changed,
            [("workers", cst.parse_expression(plan.workers))], CALL_ARGS, where,
            lambda elements, opening, _closing: updated_node.with_changes(args=elements, whitespace_before_args=opening),
        )

    def _reload(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self._plan is None or not any(_is_true_reload(argument) for argument in original_node.args):
            return updated_node
        called = qualified_names(self, original_node.func)
        if not called & SERVER_CALLS:
            return updated_node
        guarded, in_main = self._context(original_node)
        if guarded:
            return updated_node
        if not called & RUN_CALLS:
            self.report(original_node, CONFIG_REASON)
            return updated_node
        if not in_main:
            self.report(original_node, OUTSIDE_MAIN_REASON)
            return updated_node
        if isinstance(self._plan, str):
            self.report(original_node, self._plan)
            return updated_node
        if self.is_skipped(original_node):
            return updated_node
        return self._rewrite(original_node, updated_node, self._plan)

    def _rewrite(self, original_node: cst.Call, updated_node: cst.Call, plan: ReloadPlan) -> cst.Call:
        value = cst.parse_expression(plan.expression)
        arguments = [argument.with_changes(value=value) if _is_true_reload(argument) else argument
                     for argument in updated_node.args]
        if plan.import_from is not None:
            module, name = plan.import_from
            AddImportsVisitor.add_needed_import(self.context, module, name)
        for note in plan.notes:
            self.report(original_node, note)
        return updated_node.with_changes(args=arguments)

    def _context(self, node: cst.CSTNode) -> tuple[bool, bool]:
        """Whether a development test or function guards ``node`` (as the audit
        decides it), and whether it is in the body of an ``if __name__ == "__main__":``."""
        guarded = in_main = False
        child, current = node, self.get_metadata(ParentNodeProvider, node, None)
        while current is not None:
            if isinstance(current, cst.If):
                guarded = guarded or _mentions_development(current.test)
                in_main = in_main or (child is current.body and _is_main_test(current.test))
            elif isinstance(current, cst.FunctionDef):
                guarded = guarded or bool(words(current.name.value) & DEVELOPMENT_WORDS)
            child, current = current, self.get_metadata(ParentNodeProvider, current, None)
        return guarded, in_main


def _is_true_reload(argument: cst.Arg) -> bool:
    value = argument.value
    return (argument.keyword is not None and argument.keyword.value == "reload"
            and isinstance(value, cst.Name) and value.value == "True")


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"``."""
    return (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == "__name__"
        and any(isinstance(target.comparator, cst.SimpleString) and target.comparator.evaluated_value == "__main__"
                for target in test.comparisons)
    )


def _mentions_development(test: cst.BaseExpression) -> bool:
    """A name, attribute or string of ``test`` says debug, dev, local or reload."""
    found: list[str] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node.value)

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = node.evaluated_value
            found.append(value if isinstance(value, str) else "")

    test.visit(Names())
    return any(words(text) & DEVELOPMENT_WORDS for text in found)
