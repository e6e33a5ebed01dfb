"""Rewrite print() calls in application code into lazy %-style calls on the module's logger.

Audit item 14 (structured logging): prints bypass log levels, handlers and request
context. Python's Logging HOWTO keeps print() for a command-line program's own
output, so CLI scripts, ``__main__`` blocks and tests are left alone. Messages use
lazy %-style arguments (ruff G004), ``logger.exception`` only inside an ``except``
handler that swallows the error (ruff LOG004).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod import SkipFile
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    GlobalScope,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)
from libcst.metadata.scope_provider import Assignment, Scope

from fastapi_codemods.analysis import programs as program_analysis
from fastapi_codemods.analysis.candidates import Candidates
from fastapi_codemods.analysis import logging_plan
from fastapi_codemods.analysis.program_model import ProgramModel
from fastapi_codemods.analysis.programs import (
    command_line_programs,
    kept_lines,
    module_loggers,
    newer_syntax,
    plan_prints,
    print_candidates,
    unparsed_lines,
)
from fastapi_codemods.codemods.print_to_logging._log_message import build_message
from fastapi_codemods.codemods.print_to_logging._print_calls import (
    PrintCall,
    Refusal,
    analyse_print,
    executes_at_import,
    in_main_guard,
    innermost_handler,
    reraises,
)
from fastapi_codemods.cst.fastapi import qualified_names
from fastapi_codemods.cst.statements import single_assignments
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo

LEVELS = frozenset({"debug", "info", "warning", "error", "critical"})
NON_PERCENT_LOGGERS = frozenset({"loguru", "structlog"})
BLACK_LINE_LENGTH = 88
LOGGER_NAMES = ("logger", "_logger", "log", "_log", "LOGGER", "module_logger")
# Exceptions that signal control flow, not failure: no traceback for them.
CONTROL_FLOW_EXCEPTIONS = frozenset(
    {
        "builtins.KeyboardInterrupt",
        "builtins.SystemExit",
        "builtins.GeneratorExit",
        "builtins.StopIteration",
        "builtins.StopAsyncIteration",
        "asyncio.CancelledError",
        "asyncio.exceptions.CancelledError",
    }
)


class PrintToLogging(Transform):
    PREFILTER = ("print",)
    FILE_PASSES = program_analysis.FILE_PASSES
    OPTIONS = program_analysis.OPTIONS
    METADATA_DEPENDENCIES = (ScopeProvider,)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> ProjectFacts:
        """Validate the level options; find command-line programs and shared loggers,
        and judge each print by the programs that run it (`programs.plan_prints`)."""
        _check_levels(options)
        programs = command_line_programs(project) if options["skip_cli"] else frozenset()
        model = ProgramModel.of(project)
        setup_app = None
        if "setup_logging" in options.get("run_transforms", ()):
            setup_options = {**logging_plan.OPTIONS, "include_tests": options.get("include_tests", False),
                             "run_transforms": options.get("run_transforms", ())}
            planned = logging_plan.plan(project, setup_options, model)
            if planned is not None and planned.finding is None:
                setup_app = next(
                    (info.module for _, info in project.files if info.relpath == planned.app_relpath), None
                )
        prints = plan_prints(project, options, model, setup_app)
        kept = [
            ("cli", relpath, line, scope) if relpath in programs else (reason, relpath, line, scope)
            for reason, relpath, line, scope in prints.kept
        ]
        kept += [
            ("cli", relpath, line, f"{relpath}:{line}")
            for relpath, sites in prints.convert.items()
            if relpath in programs
            for line, _ordinal in sites
        ]
        candidates = print_candidates(project, options, programs)
        unparsed = newer_syntax(project, candidates)
        if unparsed:
            candidates = Candidates(candidates.files - set(unparsed), candidates.scanned)
        return ProjectFacts(
            programs,
            module_loggers(project),
            candidates,
            kept_lines(tuple(kept)) + unparsed_lines(unparsed),
            {relpath: dict(sites) for relpath, sites in prints.convert.items()},
        )

    @classmethod
    def includes_tests(cls, options: Mapping[str, Any]) -> bool:
        """``skip_tests = false`` (this transform's older switch) includes them too."""
        return super().includes_tests(options) or not options.get("skip_tests", True)

    @classmethod
    def kept(cls, facts: Any) -> tuple[str, ...]:
        if not isinstance(facts, ProjectFacts):
            return ()
        return facts.kept_lines

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: ProjectFacts | None) -> bool:
        """Only files naming the builtin print where it is not skipped silently."""
        known = facts.candidates.wants(file.relpath) if facts is not None and facts.candidates else None
        return cls.matches_text(text) if known is None else known

    # -- per module ------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        facts = self.facts or ProjectFacts()
        if self.options["skip_cli"] and self.file.relpath in facts.programs:
            raise SkipFile("command-line program")
        scopes = {scope for scope in self.metadata[ScopeProvider].values() if scope is not None}
        self.global_scope = next(scope for scope in scopes if isinstance(scope, GlobalScope))
        packages = _imported_packages(self.global_scope)
        # Test support code (fixtures, helpers importing pytest) prints for the test run.
        if self.options["skip_tests"] and (self.file.is_test_file or "pytest" in packages):
            raise SkipFile("test code")
        self.tree = node
        self.sites = facts.convert.get(self.file.relpath, {}) if facts.convert is not None else None
        self.ordinals = self._print_ordinals(node) if self.sites is not None else {}
        self.other_logger = min(packages & NON_PERCENT_LOGGERS, default=None)
        self.logger_name, self.logger_line = self._existing_logger(node, facts.loggers)
        self.reuses_logger = self.logger_name is not None
        self.logging_name: str | None = None
        self.insert_at = _leading_imports_end(node)
        self.needs_logger = False
        self.logger_problem: str | None = None
        self.add_import = False
        self.traceback_blocks: set[int] = set()
        if not self.reuses_logger:
            self.logging_name, binding_index = self._logging_binding(node)
            if self.logging_name is None:
                self.logger_problem = (
                    "the name `logging` is bound to something else in this module: "
                    "add a stdlib logger by hand"
                )
            elif binding_index is None:
                self.add_import = True
            else:
                self.insert_at = max(self.insert_at, binding_index + 1)
            self.logger_name = _free_name(scopes)
            if self.logger_name is None:
                self.logger_problem = "every usual logger name is taken in this module: add a logger by hand"
        return True

    def _print_ordinals(self, module: cst.Module) -> dict[cst.Call, tuple[int, int]]:
        """Each ``print(...)`` call as the analysis keys it: (line, ordinal on the line)."""
        calls: list[tuple[tuple[int, int], cst.Call]] = []

        class Finder(cst.CSTVisitor):
            def visit_Call(inner, call: cst.Call) -> None:  # noqa: N805 - the outer self is the transform
                if (isinstance(call.func, cst.Name) and call.func.value == "print") or (
                    "builtins.print" in qualified_names(self, call.func)
                ):
                    start = self.get_metadata(PositionProvider, call).start
                    calls.append(((start.line, start.column), call))

        module.visit(Finder())
        found: dict[cst.Call, tuple[int, int]] = {}
        counts: dict[int, int] = {}
        for (line, _column), call in sorted(calls, key=lambda item: item[0]):
            found[call] = (line, counts.get(line, 0))
            counts[line] = counts.get(line, 0) + 1
        return found

    def _existing_logger(self, module: cst.Module, shared: frozenset[str]) -> tuple[str | None, int]:
        """A module-level ``NAME = logging.getLogger(...)`` bound nowhere else, or a
        name imported from a project module that defines one (``shared``)."""
        found: list[tuple[tuple[int, int], str, int]] = []
        for assignment in self.global_scope.assignments:
            node = getattr(assignment, "node", None)
            if (
                isinstance(node, cst.ImportFrom)
                and _imported_name(node, assignment.name, self.file.package) in shared
                and len(self.global_scope.assignments[assignment.name]) == 1
            ):
                rank = (1, LOGGER_NAMES.index(assignment.name) if assignment.name in LOGGER_NAMES else 99)
                found.append((rank, assignment.name, self.line_of(node)))
        for statement, target, value in single_assignments(module):
            if not (
                isinstance(target, cst.Name)
                and isinstance(value, cst.Call)
                and "logging.getLogger" in qualified_names(self, value.func)
            ):
                continue
            if not all(
                isinstance(a, Assignment) and a.node is target for a in self.global_scope.assignments[target.value]
            ):
                continue
            named = bool(value.args) and cst.ensure_type(value.args[0], cst.Arg).value.deep_equals(cst.Name("__name__"))
            rank = (0 if named else 2, LOGGER_NAMES.index(target.value) if target.value in LOGGER_NAMES else 99)
            found.append((rank, target.value, self.line_of(statement)))
        if not found:
            return None, 0
        _, name, line = min(found)
        return name, line

    def _logging_binding(self, module: cst.Module) -> tuple[str | None, int | None]:
        """The module-scope name bound to stdlib ``logging`` and the index of the first
        top-level statement binding it; (None, 0) when ``logging`` means something
        else; ("logging", None) when nothing binds it (the import must be added)."""
        bindings: dict[str, list[cst.CSTNode]] = {}
        for assignment in self.global_scope.assignments:
            if isinstance(assignment, Assignment):
                bindings.setdefault(assignment.name, []).append(assignment.node)
        logging_bindings = {
            name: nodes
            for name, nodes in bindings.items()
            if all(isinstance(node, cst.Import) and _binds_logging_module(node, name) for node in nodes)
        }
        if "logging" in bindings and "logging" not in logging_bindings:
            return None, 0
        for name in sorted(logging_bindings, key=lambda name: name != "logging"):
            index = min(self._top_level_index(module, node) for node in logging_bindings[name])
            return name, index
        return "logging", None

    def _top_level_index(self, module: cst.Module, node: cst.CSTNode) -> int:
        current: cst.CSTNode | None = node
        while current is not None:
            parent = self.get_metadata(ParentNodeProvider, current, None)
            if parent is module:
                return next(i for i, statement in enumerate(module.body) if statement is current)
            current = parent
        return 0

    # -- per call ---------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        # A module-level rebinding anywhere (even a conditional import) makes libcst
        # resolve print to that binding only: such prints are left alone.
        if qualified_names(self, original_node.func) != {"builtins.print"} or self._silently_kept(original_node):
            return updated_node
        # Kept by the program model: every program running it would not show the record.
        if self.sites is not None and self.ordinals.get(original_node) not in self.sites:
            return updated_node
        call = analyse_print(self, original_node)
        if isinstance(call, Refusal):
            self.report(original_node, call.reason)
            return updated_node
        problem = self._logger_problem_at(original_node)
        if problem is not None:
            self.report(original_node, problem)
            return updated_node
        level = self._level(original_node, call)
        values, exc_info = self._without_format_exc(original_node, call.values, level)
        message = build_message(values, call.sep, self.options["strip_emoji"])
        for note in message.notes:
            self.report(original_node, note)
        self.needs_logger = not self.reuses_logger
        func = cst.Attribute(cst.Name(self.logger_name), cst.Name(level))
        arguments = [cst.Arg(message.msg), *(cst.Arg(arg) for arg in message.args)]
        if exc_info:
            arguments.append(
                cst.Arg(
                    cst.Name("True"),
                    keyword=cst.Name("exc_info"),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                )
            )
        new_call = cst.Call(func, arguments)
        return _black_call(new_call, self._indent(original_node))

    def visit_Name(self, node: cst.Name) -> None:
        self._value_use(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._value_use(node)

    def _value_use(self, node: cst.Name | cst.Attribute) -> None:
        """print named without being called: a callback, or Python 2's ``print >>f, x``."""
        if "builtins.print" not in qualified_names(self, node):
            return
        parent = self.get_metadata(ParentNodeProvider, node)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        if self._silently_kept(node):
            return
        if (
            isinstance(parent, cst.BinaryOperation)
            and isinstance(parent.operator, cst.RightShift)
            and parent.left is node
        ):
            self.report(
                node,
                "Python 2 `print >>stream, ...` statement: in Python 3 this is a tuple "
                "expression that prints nothing (latent bug); rewrite it as a call",
            )
            return
        self.report(
            node,
            "print is used as a value (callback or alias), not called: its output cannot be "
            "rewritten safely; pass a logger method if that is what you want",
        )

    def _silently_kept(self, node: cst.CSTNode) -> bool:
        if self.is_skipped(node):
            return True
        return bool(self.options["skip_main_guard"]) and in_main_guard(self, node)

    def _logger_problem_at(self, node: cst.Call) -> str | None:
        if self.other_logger is not None:
            return (
                f"this module uses {self.other_logger}, which does not take %-style arguments: "
                "convert this print by hand"
            )
        if self.logger_problem is not None:
            return self.logger_problem
        assert self.logger_name is not None
        if self.reuses_logger:
            scope = self.get_metadata(ScopeProvider, node, None)
            if scope is not None and set(scope[self.logger_name]) != set(self.global_scope[self.logger_name]):
                return f"`{self.logger_name}` is rebound in this scope: the module logger cannot be used here"
            if executes_at_import(self, node) and self.line_of(node) < self.logger_line:
                return f"runs at import time before `{self.logger_name}` is assigned: move the logger up first"
        elif executes_at_import(self, node) and self._top_level_index(self.tree, node) < self.insert_at:
            return "runs at import time before the `logging` import: convert by hand"
        return None

    def _without_format_exc(
        self, node: cst.Call, values: list[cst.BaseExpression], level: str
    ) -> tuple[list[cst.BaseExpression], bool]:
        """``print(traceback.format_exc())`` in a handler: the record carries the
        traceback itself (``logger.exception``, or ``exc_info=True`` at an error level)."""
        if level not in ("exception", "error", "critical") or innermost_handler(self, node) is None:
            return values, False
        kept = [v for v in values if not (isinstance(v, cst.Call) and "traceback.format_exc" in qualified_names(self, v.func))]
        if len(kept) == len(values):
            return values, False
        return kept or [cst.SimpleString('"Exception caught"')], level != "exception"

    def _level(self, node: cst.Call, call: PrintCall) -> str:
        if self.sites is not None:
            return self._planned_level(node)
        handler = innermost_handler(self, node)
        if handler is None or _only_control_flow(self, handler):
            return self.options["stderr_level"] if call.stderr else self.options["level"]
        if reraises(handler):
            return self.options["reraise_level"]
        return self._first_traceback(node, handler, self.options["except_level"])

    def _planned_level(self, node: cst.Call) -> str:
        """The analysis' level; a second traceback in one handler path logs at the
        re-raise level instead."""
        assert self.sites is not None
        level = self.sites[self.ordinals[node]]
        if level != "exception":
            return level
        handler = innermost_handler(self, node)
        if handler is None:
            return "error"
        return self._first_traceback(node, handler, level)

    def _first_traceback(self, node: cst.Call, handler: cst.CSTNode, level: str) -> str:
        """One traceback per path: ``level`` for the first print logging a traceback
        in its handler's blocks; one that follows it in the same block, or in a block
        around its own, logs at the re-raise level (error) instead."""
        blocks = []
        current: cst.CSTNode = node
        while current is not handler:
            current = self.get_metadata(ParentNodeProvider, current)
            if isinstance(current, cst.IndentedBlock):
                blocks.append(id(current))
        if self.traceback_blocks.intersection(blocks):
            return self.options["reraise_level"]
        self.traceback_blocks.add(blocks[0])
        return level

    def _indent(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.column

    # -- module end ------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.needs_logger:
            return updated_node
        assert self.logging_name is not None and self.logger_name is not None
        if self.add_import:
            AddImportsVisitor.add_needed_import(self.context, "logging")
        assignment = cst.SimpleStatementLine(
            [
                cst.Assign(
                    [cst.AssignTarget(cst.Name(self.logger_name))],
                    cst.Call(
                        cst.Attribute(cst.Name(self.logging_name), cst.Name("getLogger")),
                        [cst.Arg(cst.Name("__name__"))],
                    ),
                )
            ],
            leading_lines=[cst.EmptyLine()] if self.insert_at else [],
        )
        body = list(updated_node.body)
        following = body[self.insert_at:]
        if following:
            following[0] = _with_blank_lines(following[0])
        return updated_node.with_changes(body=[*body[: self.insert_at], assignment, *following])

    def transform_module(self, tree: cst.Module) -> cst.Module:
        tree = super().transform_module(tree)
        # AddImportsVisitor puts the import right under a docstring; black wants a blank line.
        if (
            self.add_import
            and self.needs_logger
            and len(tree.body) > 1
            and _is_docstring(tree.body[0])
            and not tree.body[1].leading_lines
        ):
            tree = tree.with_changes(
                body=[tree.body[0], tree.body[1].with_changes(leading_lines=[cst.EmptyLine()]), *tree.body[2:]]
            )
        return tree


@dataclass(frozen=True)
class ProjectFacts:
    """What ``analyze_project`` learns: command-line programs (relpaths), loggers
    other modules may import (``package.module.NAME``) and the files to parse."""

    programs: frozenset[str] = frozenset()
    loggers: frozenset[str] = frozenset()
    candidates: Candidates | None = None
    kept_lines: tuple[str, ...] = ()  # the summary's lines (`kept`)
    # relpath -> (line, ordinal of the print call on its line) -> level, for the
    # prints every program running them shows; None: no analysis (a direct caller).
    convert: Mapping[str, Mapping[tuple[int, int], str]] | None = None


def _imported_name(node: cst.ImportFrom, local: str, package: str) -> str | None:
    """The absolute ``module.name`` that ``from ... import`` binds to ``local``."""
    if isinstance(node.names, cst.ImportStar):
        return None
    for alias in node.names:
        bound = get_full_name_for_node(alias.asname.name) if alias.asname else get_full_name_for_node(alias.name)
        if bound != local:
            continue
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        if node.relative:
            parts = package.split(".") if package else []
            base = parts[: max(len(parts) - len(node.relative) + 1, 0)]
            module = ".".join([*base, module] if module else base)
        return f"{module}.{get_full_name_for_node(alias.name)}"
    return None


def _check_levels(options: Mapping[str, Any]) -> None:
    """Refuse a level name logging does not have before any file is read."""
    allowed = {
        "level": LEVELS,
        "stderr_level": LEVELS,
        "except_level": LEVELS | {"exception"},
        "reraise_level": LEVELS | {"exception"},
    }
    for key, names in allowed.items():
        if options[key] not in names:
            from fastapi_codemods.engine.driver import (
                UsageError,  # the driver imports this package
            )

            raise UsageError(
                f"[tool.fastapi-codemods.print_to_logging] {key} = {options[key]!r}: "
                f"expected one of {', '.join(sorted(names))}"
            )


def _imported_packages(scope: Scope) -> set[str]:
    """Top-level package names the module imports at module level."""
    packages: set[str] = set()
    for assignment in scope.assignments:
        node = getattr(assignment, "node", None)
        if isinstance(node, cst.Import):
            packages.update((get_full_name_for_node(alias.name) or "").split(".")[0] for alias in node.names)
        elif isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
            packages.add((get_full_name_for_node(node.module) or "").split(".")[0])
    return packages


def _free_name(scopes: set[Scope]) -> str | None:
    """The first logger name no scope of the module binds or reads."""
    for name in LOGGER_NAMES:
        if all(name not in scope.assignments and not scope.accesses[name] for scope in scopes):
            return name
    return None


def _with_blank_lines(statement: cst.BaseStatement) -> cst.BaseStatement:
    """The statement after the new logger line, with the blank lines black wants before it."""
    wanted = 2 if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) else 1
    present = 0
    for line in statement.leading_lines:
        if line.comment is not None:
            break
        present += 1
    if present >= wanted:
        return statement
    return statement.with_changes(leading_lines=[*[cst.EmptyLine()] * (wanted - present), *statement.leading_lines])


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString)
    )


def _leading_imports_end(module: cst.Module) -> int:
    """Index after the module's header: its docstring and the imports that open it,
    with the string literals, ``__dunder__ = ...`` assignments and import-only
    ``try``/``if`` blocks among them. The logger goes after its last import, never
    between two imports (E402); with no import, right after the docstring."""
    index = 1 if module.body and _is_docstring(module.body[0]) else 0
    end = index
    while index < len(module.body):
        statement = module.body[index]
        if _is_import_statement(statement):
            end = index + 1
        elif not _is_header_filler(statement):
            break
        index += 1
    return end


def _is_import_statement(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        return all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)
    if isinstance(statement, (cst.Try, cst.If)):
        blocks = [statement.body]
        if isinstance(statement, cst.Try):
            blocks.extend(handler.body for handler in statement.handlers)
        elif isinstance(statement.orelse, cst.Else):
            blocks.append(statement.orelse.body)
        inner = [line for block in blocks for line in getattr(block, "body", ())]
        return bool(inner) and any(_is_import_statement(line) for line in inner) and all(
            _is_import_statement(line) or _is_header_filler(line) for line in inner
        )
    return False


def _is_header_filler(statement: cst.CSTNode) -> bool:
    """A string literal, ``pass`` or a ``__dunder__ = ...`` assignment."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue
        if isinstance(small, cst.Pass):
            continue
        if (
            isinstance(small, (cst.Assign, cst.AnnAssign))
            and all(
                isinstance(target, cst.Name) and target.value.startswith("__") and target.value.endswith("__")
                for target in ([t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target])
            )
        ):
            continue
        return False
    return True


def _binds_logging_module(node: cst.Import, name: str) -> bool:
    """True when ``node`` binds ``name`` to the stdlib ``logging`` package."""
    for alias in node.names:
        full = get_full_name_for_node(alias.name) or ""
        if alias.asname is not None:
            local = get_full_name_for_node(alias.asname.name)
            if local == name and full == "logging":
                return True
        elif name == "logging" and full.split(".")[0] == "logging":
            return True
    return False


def _only_control_flow(transform: Transform, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The handler catches only KeyboardInterrupt, CancelledError and the like."""
    if handler.type is None:
        return False
    caught = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    for element in caught:
        node = element.value if isinstance(element, cst.Element) else element
        names = qualified_names(transform, node)
        if not names or not names <= CONTROL_FLOW_EXCEPTIONS:
            return False
    return True


def _black_call(call: cst.Call, indent: int) -> cst.BaseExpression:
    """``call`` as black lays it out at this indentation (black only when needed)."""
    code = cst.Module([]).code_for_node(call)
    if "\n" not in code and indent + len(code) <= BLACK_LINE_LENGTH:
        return call
    import black

    mode = black.Mode(line_length=max(BLACK_LINE_LENGTH - indent, 40), string_normalization=False)
    try:
        formatted = black.format_str(code, mode=mode)
        statement = cst.parse_statement(formatted)
    except Exception:  # noqa: BLE001 - black refusing the snippet leaves it unformatted
        return call
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Call)
    ):
        return statement.body[0].value
    return call
