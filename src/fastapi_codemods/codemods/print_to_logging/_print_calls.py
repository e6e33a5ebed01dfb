"""What one print() call means, and where it sits (except handler, ``__main__`` block).

Everything here reads the tree through the transform's metadata
(``ParentNodeProvider``, ``QualifiedNameProvider``); nothing rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ParentNodeProvider

from fastapi_codemods.codemods.print_to_logging._log_message import is_str_literal, literal_text
from fastapi_codemods.cst.fastapi import qualified_names

_SCOPE_BOUNDARIES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
OUTPUT_ERRORS = frozenset(
    f"builtins.{name}"
    for name in ("UnicodeEncodeError", "UnicodeError", "OSError", "IOError", "EnvironmentError", "BrokenPipeError")
)
Handler = cst.ExceptHandler | cst.ExceptStarHandler


@dataclass(frozen=True)
class PrintCall:
    """A print() statement that can become one logging call."""

    values: list[cst.BaseExpression]
    sep: str
    stderr: bool


@dataclass(frozen=True)
class Refusal:
    reason: str


def analyse_print(transform: cst.MetadataDependent, call: cst.Call) -> PrintCall | Refusal:
    """Read print's arguments; refuse anything logging cannot reproduce."""
    parent = transform.get_metadata(ParentNodeProvider, call)
    if not (
        isinstance(parent, cst.Expr)
        and isinstance(transform.get_metadata(ParentNodeProvider, parent), cst.SimpleStatementLine)
    ):
        return Refusal(
            "print(...) is not a statement of its own (its value is used, or it sits in a lambda, "
            "comprehension or expression): convert it by hand"
        )
    if _guarded_against_output_errors(transform, call):
        return Refusal(
            "print guarded by a handler for its own output errors (UnicodeEncodeError, OSError...): "
            "logging never raises them, so the try/except would change meaning; convert it by hand"
        )
    if _has_comment(call):
        return Refusal("comments inside the print(...) call would be lost: convert it by hand")
    values: list[cst.BaseExpression] = []
    sep, stderr = " ", False
    for arg in call.args:
        if arg.star:
            return Refusal("print with *args/**kwargs: the number of values is unknown, convert it by hand")
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword is None:
            values.append(arg.value)
        elif keyword == "sep":
            if _is_none(arg.value):
                continue
            if not is_str_literal(arg.value) or (text := literal_text(arg.value)) is None:
                return Refusal("print with a non-literal sep=: the message cannot be built statically")
            sep = text
        elif keyword == "end":
            if not _is_none(arg.value) and not (is_str_literal(arg.value) and literal_text(arg.value) == "\n"):
                return Refusal(
                    "print with end= other than a newline builds up one line over several calls: "
                    "a log record per call would split it"
                )
        elif keyword == "file":
            names = qualified_names(transform, arg.value)
            if _is_none(arg.value) or names == {"sys.stdout"}:
                stderr = False
            elif names == {"sys.stderr"}:
                stderr = True
            else:
                return Refusal(
                    "print with file= other than sys.stdout/sys.stderr writes to a file or buffer: "
                    "that output is data, not a log message"
                )
        elif keyword == "flush":
            if not isinstance(arg.value, (cst.Name, cst.Attribute, cst.Integer)):
                return Refusal("print with a computed flush= value: dropping it could drop a side effect")
        else:
            return Refusal(f"print with an unknown keyword {keyword}=: left as is")
    if not values:
        return Refusal("bare print() writes an empty line: there is no message to log, remove it or keep it")
    return PrintCall(values, sep, stderr)


def _guarded_against_output_errors(transform: cst.MetadataDependent, call: cst.Call) -> bool:
    """True inside the ``try`` block of a try statement catching print's own errors."""
    for child, parent in _ancestors(transform, call):
        if isinstance(parent, _SCOPE_BOUNDARIES):
            return False
        if (
            isinstance(parent, (cst.Try, cst.TryStar))
            and child is parent.body
            and any(_catches_output_errors(transform, handler) for handler in parent.handlers)
        ):
            return True
        if (
            isinstance(parent, (cst.ExceptHandler, cst.ExceptStarHandler))
            and _catches_output_errors(transform, parent)
            and _prints_in(transform, transform.get_metadata(ParentNodeProvider, parent).body)
        ):
            return True
    return False


class _PrintFinder(cst.CSTVisitor):
    def __init__(self, transform: cst.MetadataDependent) -> None:
        self.transform = transform
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if "builtins.print" in qualified_names(self.transform, node.func):
            self.found = True


def _prints_in(transform: cst.MetadataDependent, block: cst.CSTNode) -> bool:
    finder = _PrintFinder(transform)
    block.visit(finder)
    return finder.found


def _catches_output_errors(transform: cst.MetadataDependent, handler: Handler) -> bool:
    if handler.type is None:
        return False
    caught = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    return any(
        qualified_names(transform, element.value if isinstance(element, cst.Element) else element) & OUTPUT_ERRORS
        for element in caught
    )


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def _has_comment(node: cst.CSTNode) -> bool:
    finder = _CommentFinder()
    node.visit(finder)
    return finder.found


def _ancestors(transform: cst.MetadataDependent, node: cst.CSTNode):
    """(child, parent) pairs from ``node`` up to the module."""
    current = node
    while True:
        parent = transform.get_metadata(ParentNodeProvider, current, None)
        if parent is None:
            return
        yield current, parent
        current = parent


def executes_at_import(transform: cst.MetadataDependent, node: cst.CSTNode) -> bool:
    """True when ``node`` runs while the module is imported (module or class body)."""
    return not any(isinstance(parent, (cst.FunctionDef, cst.Lambda)) for _, parent in _ancestors(transform, node))


def in_main_guard(transform: cst.MetadataDependent, node: cst.CSTNode) -> bool:
    """True inside the body (not the ``else``) of ``if __name__ == "__main__":``."""
    return any(
        isinstance(parent, cst.If) and child is parent.body and _is_main_test(parent.test)
        for child, parent in _ancestors(transform, node)
    )


def _is_main_test(test: cst.BaseExpression) -> bool:
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = [test.left, target.comparator]
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1


def innermost_handler(transform: cst.MetadataDependent, node: cst.CSTNode) -> Handler | None:
    """The ``except`` handler whose body holds ``node``, within the same function."""
    for _, parent in _ancestors(transform, node):
        if isinstance(parent, _SCOPE_BOUNDARIES):
            return None
        if isinstance(parent, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return parent
    return None


class _RaiseFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Raise(self, node: cst.Raise) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def reraises(handler: Handler) -> bool:
    """True when the handler raises (bare ``raise``, ``raise X``, ``raise X from e``)."""
    finder = _RaiseFinder()
    handler.body.visit(finder)
    return finder.found
