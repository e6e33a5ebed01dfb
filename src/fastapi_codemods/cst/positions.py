"""libcst positions computed one top-level statement at a time, when asked.

libcst's ``PositionProvider`` generates the code of the whole module while
tracking every node's position: on a 2,000-line module that costs more than the
parse, and a transform usually asks for a handful of positions (the lines of its
findings, the column of a rewritten call). Here only the top-level statement
holding the node is generated with tracking; the lines before it come from
generating the earlier statements once, without tracking (several times
cheaper). A statement's code does not depend on what precedes it, so the
positions are the ones ``PositionProvider`` would give (tests/test_positions.py
compares them node by node).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider


class StatementPositions(Mapping[cst.CSTNode, CodeRange]):
    """``PositionProvider``'s mapping for ``module``, computed lazily.

    ``parents`` maps every node of ``module`` to its parent (see `parent_map`).
    """

    def __init__(self, module: cst.Module, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> None:
        self._module = module
        self._parents = parents
        self._first_lines: dict[cst.CSTNode, int] | None = None
        self._by_statement: dict[cst.CSTNode, Mapping[cst.CSTNode, CodeRange]] = {}
        self._whole: Mapping[cst.CSTNode, CodeRange] | None = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        if node is not self._module and node not in self._parents:
            raise KeyError(node)  # not a node of this tree
        statement = self._statement_of(node)
        if statement is None:
            # The module itself, its header or footer lines: rare, ask libcst.
            return self._whole_module()[node]
        table = self._by_statement.get(statement)
        if table is None:
            table = self._by_statement[statement] = self._positions_in(statement)
        return table[node]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._whole_module())

    def __len__(self) -> int:
        return len(self._whole_module())

    def _statement_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The top-level statement holding ``node`` (None outside the body)."""
        current = node
        while True:
            parent = self._parents.get(current)
            if parent is None:
                return None
            if parent is self._module:
                return current if self._lines_before().get(current) is not None else None
            current = parent

    def _lines_before(self) -> dict[cst.CSTNode, int]:
        """Top-level statement -> number of lines of code before it."""
        if self._first_lines is None:
            module = self._module
            lines = sum(module.code_for_node(line).count("\n") for line in module.header)
            first_lines: dict[cst.CSTNode, int] = {}
            for statement in module.body:
                first_lines[statement] = lines
                lines += module.code_for_node(statement).count("\n")
            self._first_lines = first_lines
        return self._first_lines

    def _positions_in(self, statement: cst.CSTNode) -> dict[cst.CSTNode, CodeRange]:
        last = statement is self._module.body[-1]
        alone = self._module.with_changes(
            body=[statement], header=(), footer=(), has_trailing_newline=self._module.has_trailing_newline or not last
        )
        shift = self._lines_before()[statement]
        positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        return {
            node: CodeRange(
                CodePosition(span.start.line + shift, span.start.column),
                CodePosition(span.end.line + shift, span.end.column),
            )
            for node, span in positions.items()
            if node is not alone
        }

    def _whole_module(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._whole is None:
            self._whole = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._whole
