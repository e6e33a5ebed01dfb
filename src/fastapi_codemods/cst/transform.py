"""The base class every transform derives from.

A transform is a libcst codemod: it gets one parsed module, returns a new one, and
records a `Finding` for each candidate it will not rewrite. It does no I/O.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.cst.expression_context import prime_expression_contexts
from fastapi_codemods.cst.imports import TopImportsAdder, tidy_added_imports
from fastapi_codemods.cst.parent_map import parent_map
from fastapi_codemods.cst.positions import StatementPositions
from fastapi_codemods.engine.fileinfo import FileInfo

# Metadata resolved on first use instead of before the visit. Each one is a full
# pass over the tree (about the cost of the parse itself on a large module), and
# many files need none of them: positions only for findings and skip markers,
# parents only around the nodes a transform rewrites, scopes only where a name
# must be resolved (async_sleep resolves none on most of its files). Qualified
# names are read from the scope analysis directly, as libcst's own provider does
# node by node.
LAZY_METADATA = frozenset({PositionProvider, ParentNodeProvider, QualifiedNameProvider, ScopeProvider})

_MISSING: Any = object()


class Transform(VisitorBasedCodemodCommand):
    """Base of every transform.

    Subclasses set ``PREFILTER`` (substrings, one of which a file must contain for
    the transform to possibly match: checked on the text before parsing) and
    ``OPTIONS`` (per-transform configuration keys with their defaults; the type of
    the default is the accepted type). ``NAME`` and ``DESCRIPTION`` come from the
    module's name and docstring unless the class sets ``NAME``. ``FILE_PASSES`` are the
    per-file steps its ``analyze_project`` reads through ``project.results`` (see
    `fastapi_codemods.analysis.filepasses`): declared here so they can run in parallel first.
    A transform with options or passes declares both in its libcst-free analysis
    module, named in the registry's ``ANALYSIS_MODULES``, and refers to them here.
    """

    NAME: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""
    PREFILTER: ClassVar[tuple[str, ...]] = ()
    OPTIONS: ClassVar[Mapping[str, Any]] = {}
    METADATA_DEPENDENCIES: ClassVar[tuple[Any, ...]] = ()
    FILE_PASSES: ClassVar[tuple[FilePass, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Name the transform when its class is defined, not when the registry loads
        it: worker processes started by spawn (macOS, Windows) import the class by
        reference and never ask the registry, and the facts are keyed by name."""
        super().__init_subclass__(**kwargs)
        if "NAME" not in vars(cls):
            cls.NAME = cls.__module__.rpartition(".")[2]
            cls.DESCRIPTION = (sys.modules[cls.__module__].__doc__ or "").strip().partition("\n")[0]

    def __init__(
        self,
        context: CodemodContext,
        file: FileInfo,
        options: Mapping[str, Any] | None = None,
        facts: Any = None,
        skip_lines: Mapping[int, frozenset[str] | None] | None = None,
    ) -> None:
        super().__init__(context)
        self.file = file
        self.options: dict[str, Any] = {**self.OPTIONS, **(options or {})}
        self.facts = facts
        self.findings: list[tuple[int, str]] = []
        self._shared_wrapper: MetadataWrapper | None = None
        self._shared_tables: dict[Any, Mapping[cst.CSTNode, Any]] = {}
        self._handler_cache: dict[type, tuple[Any, Any]] = {}
        self._skip_lines = {
            line: names
            for line, names in (skip_lines or {}).items()
            if names is None or self.NAME in names
        }

    def share_metadata(self, wrapper: MetadataWrapper, tables: dict[Any, Any] | None = None) -> None:
        """Resolve metadata on ``wrapper`` (shared by all transforms of one tree).

        Scope, parent and position analysis cost several times the parse;
        transforms that run on the same unchanged tree compute them once. ``tables``
        holds what is computed outside libcst (parents, positions) for that tree.
        """
        self._shared_wrapper = wrapper
        if tables is not None:
            self._shared_tables = tables

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        # Overrides libcst's hook, which builds (and deep-copies) a new wrapper per
        # codemod; tests/test_pipeline.py checks that sharing keeps working.
        wrapper = self._shared_wrapper
        if wrapper is None or wrapper.module is not module:
            with super()._handle_metadata_reference(module) as inner:
                yield inner
            return
        previous = self.context.wrapper
        if ScopeProvider in self.get_inherited_dependencies():
            prime_expression_contexts(wrapper)
        with self.resolve(wrapper):
            self.context = replace(self.context, wrapper=wrapper)
            try:
                yield module
            finally:
                self.context = replace(self.context, wrapper=previous)

    # -- visiting -------------------------------------------------------------
    # libcst's matcher-aware visitor checks matcher decorators at every node and
    # every child attribute, then calls a do-nothing ``visit_X``/``leave_X`` stub
    # for each node type a transform does not handle. Transforms here use no
    # matcher decorators (tests/test_registry.py checks it), so the visit goes
    # straight to the handlers they define, found once per node type.

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit = self._handlers(type(node))[0]
        return visit is None or visit(node) is not False

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        leave = self._handlers(type(original_node))[1]
        return updated_node if leave is None else leave(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        """No transform handles single attributes (``visit_Call_func``)."""

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        """No transform handles single attributes (``leave_Call_func``)."""

    def _handlers(self, node_type: type) -> tuple[Any, Any]:
        found = self._handler_cache.get(node_type)
        if found is None:
            found = self._handler_cache[node_type] = (
                self._own_handler(f"visit_{node_type.__name__}"),
                self._own_handler(f"leave_{node_type.__name__}"),
            )
        return found

    def _own_handler(self, name: str) -> Any:
        """The bound method ``name`` unless it is libcst's do-nothing stub."""
        method = getattr(type(self), name, None)
        if method is None or method is getattr(cst.CSTTransformer, name, None):
            return None
        return getattr(self, name)

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = _MISSING) -> Any:
        """libcst's lookup, resolving `LAZY_METADATA` on the current tree when first asked."""
        if key not in LAZY_METADATA:
            return super().get_metadata(key, node, *(() if default is _MISSING else (default,)))
        if key is QualifiedNameProvider:
            scopes = self._lazy_table(ScopeProvider)
            if node not in scopes:
                if default is _MISSING:
                    raise KeyError(node)
                return default
            scope = scopes[node]
            return scope.get_qualified_names_for(node) if scope is not None else set()
        table = self._lazy_table(key)
        return table[node] if default is _MISSING else table.get(node, default)

    def _lazy_table(self, key: Any) -> Mapping[cst.CSTNode, Any]:
        table = self.metadata.get(key)
        if table is None:
            wrapper = self.context.wrapper
            if wrapper is None:
                raise KeyError(f"{key.__name__} asked for outside a transform run")
            if key is ParentNodeProvider or key is PositionProvider:
                shared = wrapper is self._shared_wrapper
                table = self._shared_tables.get(key) if shared else None
                if table is None:
                    if key is ParentNodeProvider:
                        table = parent_map(wrapper.module)
                    else:
                        table = StatementPositions(wrapper.module, self._lazy_table(ParentNodeProvider))
                    if shared:
                        self._shared_tables[key] = table
            else:
                if key is ScopeProvider:
                    prime_expression_contexts(wrapper)
                table = wrapper.resolve(key)
            self.metadata = {**self.metadata, key: table}
        return table

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Run the codemod, then libcst's import visitors as `CodemodCommand` does,
        with the imports AddImportsVisitor added moved to where isort would put them."""
        tree = super(CodemodCommand, self).transform_module(tree)
        if AddImportsVisitor.CONTEXT_KEY in self.context.scratch:
            added = self._instantiate_and_run(TopImportsAdder, tree)
            tree = tidy_added_imports(tree, added, self.file.module.split(".")[0])
        if RemoveImportsVisitor.CONTEXT_KEY in self.context.scratch:
            tree = self._instantiate_and_run(RemoveImportsVisitor, tree)
        return tree

    @classmethod
    def matches_text(cls, text: str) -> bool:
        """Cheap check before parsing: can this file contain anything to rewrite?"""
        return not cls.PREFILTER or any(needle in text for needle in cls.PREFILTER)

    @classmethod
    def wants(cls, file: FileInfo, text: str, facts: Any) -> bool:
        """Whether to parse ``file`` with libcst for this transform at all.

        libcst parsing plus scope metadata costs tens of times the stdlib ``ast``
        parse, so a transform whose ``analyze_project`` already knows its candidate
        files (from ``ast``) should override this to answer from ``facts``. The
        default is the text prefilter. ``text`` is the code as earlier transforms
        left it.
        """
        return cls.matches_text(text)

    @classmethod
    def analyze_project(cls, project: Any, options: Mapping[str, Any]) -> Any:
        """Read-only pass over the whole root before any file is rewritten.

        ``project`` is a `fastapi_codemods.analysis.project.Project`. Whatever is returned
        reaches every instance as ``self.facts``; it must be picklable.
        """
        return None

    @classmethod
    def includes_tests(cls, options: Mapping[str, Any]) -> bool:
        """Whether the transform rewrites test code and documentation snippets too
        (``include-tests``; see `fastapi_codemods.analysis.code_roles`)."""
        return bool(options.get("include_tests"))

    @classmethod
    def kept(cls, facts: Any) -> tuple[str, ...]:
        """What the transform deliberately left alone across the root, one summary
        line each (``kept 117 prints in 3 command-line programs``), from its facts."""
        return ()

    @classmethod
    def new_files(cls, facts: Any, options: Mapping[str, Any]) -> dict[str, str]:
        """Files this transform creates, as root-relative path -> text (default: none)."""
        return {}

    @classmethod
    def edited_files(cls, facts: Any, options: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
        """Existing non-Python files this transform edits (a dependency list), as
        root-relative path -> (the text it read, the new text); default: none.

        The driver re-reads each file and edits it only if its text is still the one
        read, so an edit never lands on content the analysis did not see.
        """
        return {}

    def line_of(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def report(self, node: cst.CSTNode | int, reason: str) -> None:
        """Record a finding at ``node`` (or at a line number)."""
        line = node if isinstance(node, int) else self.line_of(node)
        self.findings.append((line, reason))

    def is_skipped(self, node: cst.CSTNode) -> bool:
        """True when a skip marker covers the statement that holds ``node``.

        A marker on any line of a simple statement skips it; a marker on the header
        line(s) of a compound statement or clause (``def`` with its decorators, ``if``,
        ``elif``, ``else``, ``with``, ``except``...) skips its block.
        """
        if not self._skip_lines:
            return False
        current: cst.CSTNode | None = node
        while current is not None:
            body = getattr(current, "body", None)
            if isinstance(current, cst.SimpleStatementLine) or isinstance(body, cst.BaseSuite):
                first, last = self._statement_lines(current)
                if any(first <= line <= last for line in self._skip_lines):
                    return True
            current = self.get_metadata(ParentNodeProvider, current, None)
        return False

    def _statement_lines(self, statement: cst.CSTNode) -> tuple[int, int]:
        """First and last line a marker may sit on: the whole simple statement, or
        a block's header (decorators included, up to the line of the colon)."""
        position = self.get_metadata(PositionProvider, statement)
        body = getattr(statement, "body", None)
        if not isinstance(body, cst.BaseSuite):
            return position.start.line, position.end.line
        decorators = getattr(statement, "decorators", ())
        first = self.get_metadata(PositionProvider, decorators[0]).start.line if decorators else position.start.line
        # An indented block's header is the comment and newline right after the colon.
        header = body.header if isinstance(body, cst.IndentedBlock) else body
        return first, self.get_metadata(PositionProvider, header).start.line
