"""Rewrite print() calls in application code into calls on the module's logger.

Audit item 14 (structured logging): prints bypass log levels, handlers and request
context. Python's Logging HOWTO keeps print() for a command-line program's own
output, so CLI scripts and tests are left alone.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import QualifiedNameProvider

from fastapi_codemods.codemods._base import Transform


class PrintToLogging(Transform):
    PREFILTER = ("print",)
    OPTIONS = {"strip_emoji": False}
    METADATA_DEPENDENCIES = (*Transform.METADATA_DEPENDENCIES, QualifiedNameProvider)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        names = self.get_metadata(QualifiedNameProvider, original_node.func, set())
        if not any(name.name == "builtins.print" for name in names):
            return updated_node
        if self.is_skipped(original_node):
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, "logging")
        return updated_node.with_changes(func=cst.parse_expression("logging.info"))
