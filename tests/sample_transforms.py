"""Tiny transforms with exactly known output, so driver tests need no real transform.

Install them with the ``use_transforms`` fixture (conftest), which replaces the
registry (``ORDER`` and ``load``) for one test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import libcst as cst

from fastapi_codemods.cst.transform import Transform


class InsertTop(Transform):
    """Insert ``inserted()`` as the first statement (shifts every later line by one)."""

    NAME = "insert_top"

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        statement = cst.SimpleStatementLine([cst.Expr(cst.parse_expression("inserted()"))])
        return updated_node.with_changes(body=[statement, *updated_node.body])


class Flag(Transform):
    """Rename ``flagged`` to ``done`` unless a skip marker covers it; a finding either way."""

    NAME = "flag"
    PREFILTER = ("flagged",)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value != "flagged":
            return updated_node
        if self.is_skipped(original_node):
            self.report(original_node, "skipped flagged")
            return updated_node
        self.report(original_node, "renamed flagged")
        return updated_node.with_changes(value="done")


class SeeInserted(Transform):
    """Report every ``inserted`` name: only present after `InsertTop` ran."""

    NAME = "see_inserted"
    PREFILTER = ("inserted",)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "inserted":
            self.report(node, "saw inserted")


class MakeLong(Transform):
    """Turn ``short()`` into one call far longer than black's line length."""

    NAME = "make_long"
    PREFILTER = ("short",)
    LONG = (
        "function_with_a_rather_long_name(argument_number_one, argument_number_two, "
        "argument_number_three, argument_number_four)"
    )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if isinstance(original_node.func, cst.Name) and original_node.func.value == "short":
            return cst.parse_expression(self.LONG)
        return updated_node


class CreateModule(Transform):
    """Create a module (path and text are options) and rename ``flagged`` to ``done``."""

    NAME = "create_module"
    PREFILTER = ("flagged",)
    OPTIONS: ClassVar[Mapping[str, Any]] = {"relpath": "newpkg/created.py", "text": "VALUE = 1\n"}

    @classmethod
    def new_files(cls, facts: Any, options: Mapping[str, Any]) -> dict[str, str]:
        return {options["relpath"]: options["text"]}

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value == "flagged":
            return updated_node.with_changes(value="done")
        return updated_node


class BreakCode(Transform):
    """Produce invalid code: ``return`` at module level (parses, does not compile)."""

    NAME = "break_code"

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=[*updated_node.body, cst.parse_statement("return 1\n")])


class Crash(Transform):
    """Raise inside the transform."""

    NAME = "crash"

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        raise RuntimeError("boom")


class CountFiles(Transform):
    """Project analysis counts the root's files; a finding on line 1 tells the count."""

    NAME = "count_files"

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> Any:
        return len(project.files)

    def visit_Module(self, node: cst.Module) -> None:
        self.report(1, f"{self.facts} files in root")


class CrashAnalysis(Transform):
    """Project analysis raises."""

    NAME = "crash_analysis"

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> Any:
        raise RuntimeError("analysis boom")



class Bracket(Transform):
    """Wrap the arguments of a multi-line ``sum(...)`` in a list: two hunks (the
    opening and the closing line) that parse only together."""

    NAME = "bracket"
    PREFILTER = ("sum(",)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        code = updated_node.code.replace("sum(\n", "sum([\n").replace("\n)\n", "\n])\n")
        return cst.parse_module(code)


class EditRequirements(Transform):
    """Append ``gunicorn`` to each ``requirements*.txt`` of the root, in its line endings."""

    NAME = "edit_requirements"
    PREFILTER = ("flagged",)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
        edits = {}
        for path in sorted(project.root.glob("requirements*.txt")):
            text = project.text(path)
            if text is not None:
                newline = "\r\n" if "\r\n" in text else "\n"
                edits[path.name] = (text, text + "gunicorn" + newline)
        return edits

    @classmethod
    def edited_files(cls, facts: Any, options: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
        return dict(facts or {})
