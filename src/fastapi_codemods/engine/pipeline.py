"""One file's bytes in, one `FileResult` out: prefilter, parse once, run, validate.

Pure apart from reading nothing and writing nothing: the driver hands it bytes and
decides what to do with the result. Never returns code that does not parse.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile
from libcst.metadata import MetadataWrapper

from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.results import FileResult, Finding, Status
from fastapi_codemods.engine.skip_markers import SKIP_MARKER, skip_markers, source_lines
from fastapi_codemods.engine.sources import (
    compile_error,
    decode_source,
    looks_like_python2,
    python_syntax_error,
)

GENERATED_MARKER = b"@generated"
GENERATED_WINDOW = 2048


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to process the files of one root."""

    root: str
    transforms: Sequence[type[Transform]]
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    # Root-relative path -> why it is not application code (`analysis.code_roles`).
    not_application: Mapping[str, str] = field(default_factory=dict)
    format: bool = False
    black_config: Mapping[str, Any] = field(default_factory=dict)

    def transforms_for(self, file: FileInfo) -> Sequence[type[Transform]]:
        """The transforms that may rewrite ``file``: test code and documentation only
        for those whose options say ``include_tests``."""
        if file.relpath not in self.not_application:
            return self.transforms
        return [t for t in self.transforms if t.includes_tests(self.options.get(t.NAME, {}))]


def wanted_by_none(text: str, file: FileInfo, plan: Plan) -> bool:
    """True when `process_source` would surely leave the file unchanged and silent:
    no transform wants its text, and nothing in it asks for a closer look (a NUL,
    an ``@generated`` or skip marker anywhere). The driver then never reads the file
    again nor sends it to a worker; ``text`` is the decoded file it already read."""
    if "\0" in text or GENERATED_MARKER.decode() in text or SKIP_MARKER.search(text):
        return False
    return not any(
        transform.wants(file, text, plan.facts.get(transform.NAME)) for transform in plan.transforms_for(file)
    )


def process_source(data: bytes, file: FileInfo, plan: Plan, explicit: bool = False) -> FileResult:
    """Run the plan's transforms over one file's bytes."""
    base = {"path": file.path, "root": plan.root, "old": data}
    if not explicit and GENERATED_MARKER in data[:GENERATED_WINDOW]:
        return FileResult(status=Status.SKIPPED, error="marked @generated", **base)
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        return FileResult(status=Status.FAILED, error=f"not a Python source file: NUL byte at line {line}", **base)
    try:
        text = decode_source(data)
    except ValueError as error:
        return FileResult(status=Status.FAILED, error=str(error), **base)

    skip_lines, skip_file_names, whole_file = skip_markers(text)
    if whole_file:
        return FileResult(status=Status.SKIPPED, error="fastapi-codemods: skip-file", **base)

    findings: list[Finding] = []
    applied: list[str] = []
    code = text
    tree: cst.Module | None = None
    wrapper: MetadataWrapper | None = None
    tables: dict = {}  # metadata of the wrapper's tree computed outside libcst
    for transform in plan.transforms_for(file):
        # The prefilter sees the code as earlier transforms left it: one may add
        # what a later one looks for (print_to_logging adds logging calls).
        if transform.NAME in (skip_file_names or ()) or not transform.wants(
            file, code, plan.facts.get(transform.NAME)
        ):
            continue
        if tree is None:
            try:
                tree = cst.parse_module(data)
            except cst.ParserSyntaxError as error:
                return FileResult(status=Status.FAILED, error=describe_syntax_error(text, error), **base)
            except (RecursionError, MemoryError) as error:  # pragma: no cover - pathological input
                return FileResult(status=Status.FAILED, error=f"cannot parse: {type(error).__name__}", **base)
            # A freshly parsed tree shares no nodes, so it needs no defensive copy.
            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
            tables = {}
        if wrapper is None:
            # A transform built the current tree; it may reuse one node in two places,
            # which metadata keyed by node identity cannot tell apart: copy it.
            wrapper = MetadataWrapper(tree)
            tree = wrapper.module
            tables = {}
        context = CodemodContext(filename=file.path, full_module_name=file.module)
        # Markers are found again in the current code so they stay on their statements
        # after an earlier transform inserted or removed lines.
        lines = skip_lines if code is text else skip_markers(code)[0]
        instance = transform(
            context,
            file,
            plan.options.get(transform.NAME, {}),
            plan.facts.get(transform.NAME),
            lines,
        )
        instance.share_metadata(wrapper, tables)
        try:
            new_tree = instance.transform_module(tree)
        except SkipFile:
            new_tree = tree
        except Exception as error:  # noqa: BLE001 - one buggy transform must not stop the run
            return FileResult(
                status=Status.FAILED,
                error=f"internal error in {transform.NAME}: {type(error).__name__}: {error}; file left untouched",
                findings=tuple(findings),
                **base,
            )
        line_map = _line_mapper(code, text) if instance.findings and code is not text else None
        findings.extend(
            Finding(file.path, line_map(line) if line_map else line, transform.NAME, reason)
            for line, reason in instance.findings
        )
        new_code = new_tree.code
        if new_code != code:
            applied.append(transform.NAME)
            tree, code, wrapper = new_tree, new_code, None

    result_findings = tuple(sorted(set(findings)))
    if tree is None or not applied:
        return FileResult(status=Status.UNCHANGED, findings=result_findings, **base)

    new_data = code.encode(tree.encoding)  # the code generated above, not a second time
    if plan.format:
        from fastapi_codemods.engine.formatting import format_touched_lines

        new_data = format_touched_lines(data, new_data, tree.encoding, plan.black_config)
    original_compiles = compile_error(data) is None
    if not original_compiles and looks_like_python2(text):
        # libcst accepts some Python 2 (``except E, e:``); never rewrite such a file.
        return FileResult(status=Status.FAILED, error=describe_syntax_error(text, None), **base)
    problem = validation_problem(data, new_data, original_compiles)
    if problem is not None:
        return FileResult(
            status=Status.FAILED,
            error=f"internal error: {problem}; file left untouched",
            findings=result_findings,
            **base,
        )
    return FileResult(
        status=Status.CHANGED,
        new=new_data,
        transforms=tuple(applied),
        findings=result_findings,
        **base,
    )


def validation_problem(old: bytes, new: bytes, old_compiles: bool | None = None) -> str | None:
    """Why ``new`` must not be written, or None when it is valid Python.

    libcst must parse it; and when the original compiles under this interpreter the
    new code must compile too (files using newer syntax are checked by libcst alone).
    """
    try:
        cst.parse_module(new)
    except cst.ParserSyntaxError as error:
        return f"the rewritten code does not parse ({error.message})"
    if old_compiles is None:
        old_compiles = compile_error(old) is None
    if not old_compiles:
        return None
    error = compile_error(new)
    if error is not None:
        return f"the rewritten code does not compile ({error})"
    return None


def syntax_problem(old: bytes, new: bytes) -> str | None:
    """Where and why ``new`` is not valid Python ("line 3: invalid syntax"), or None.

    Judged as `validation_problem` judges a rewrite (libcst must parse it; CPython
    must compile it when it compiles ``old``), but naming the line, for a reviewer
    who combined hunks that do not fit together.
    """
    error = compile_error(new) if compile_error(old) is None else None
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}: {error.msg}"
    if error is not None:
        return str(error)
    try:
        cst.parse_module(new)
    except cst.ParserSyntaxError as parse_error:
        return f"line {parse_error.raw_line}: {parse_error.message.splitlines()[0]}"
    return None


def describe_syntax_error(text: str, error: cst.ParserSyntaxError | None) -> str:
    """One line naming where and why the file does not parse.

    CPython's own message is clearer ("Missing parentheses in call to 'print'") so it
    is preferred when the interpreter rejects the file too.
    """
    problem = python_syntax_error(text)
    if problem is not None:
        return problem
    if error is None:
        return "syntax error"
    message = error.message.removeprefix("parser error: ").splitlines()[0]
    if len(message) > 120:
        message = message[:117] + "..."
    return f"syntax error at line {error.raw_line}: {message}"


def _line_mapper(current: str, original: str) -> Callable[[int], int]:
    """Map line numbers of ``current`` (after earlier transforms) back to ``original``.

    A rewritten line maps to the original line it replaced; a line an earlier
    transform inserted maps to the original line that now follows it (the last line
    when inserted at the end).
    """
    old_lines = source_lines(original)
    matcher = difflib.SequenceMatcher(None, old_lines, source_lines(current), autojunk=False)
    opcodes = matcher.get_opcodes()
    last = max(len(old_lines), 1)

    def to_original(line: int) -> int:
        index = line - 1
        for _tag, i1, i2, j1, j2 in opcodes:
            if j1 <= index < j2:
                if i2 > i1:
                    return min(i1 + (index - j1), i2 - 1) + 1
                return min(i1 + 1, last)
        return min(max(line, 1), last)

    return to_original
