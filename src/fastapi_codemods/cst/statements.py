"""Module-level statements the transforms look for by shape, in libcst trees."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst


def single_assignments(module: cst.Module) -> Iterator[tuple[cst.SimpleStatementLine, cst.BaseExpression,
                                                             cst.BaseExpression]]:
    """(statement, target, value) of each module-level line holding one assignment
    with one target and a value: ``x = ...`` or ``x: T = ...`` (not ``a = b = ...``,
    ``x: T`` or ``x = 1; y = 2``), the shapes a transform can edit in place."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            yield statement, small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            yield statement, small.target, small.value
