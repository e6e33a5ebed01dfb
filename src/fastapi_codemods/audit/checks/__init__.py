"""The registry of audit checks: practice number -> check.

A check is a function ``check(project, facts) -> Outcome`` of the read-only
`analysis.project.Project` and the root's `AuditFacts`; its module's docstring and
the function's say exactly what it looks for. A check module declares the per-file
passes it reads as ``FILE_PASSES`` (with ``TRANSFORM``, the transform whose options
they run with, or None): the runner schedules them all in one go, in worker
processes under ``-j``. Every practice has a check (a test says so).

Like ``analysis``, this package imports no libcst.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.checks import (
    awaited_side_effects,
    base_model,
    blocking,
    deployment,
    docs,
    existence_checks,
    heavy_work,
    libraries,
    lifespan,
    pooling,
    print_logging,
    request_bodies,
    responses,
    secrets,
    sync_dependencies,
)
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.records import Outcome

Check = Callable[[Project, AuditFacts], Outcome]

MODULES: dict[int, ModuleType] = {
    1: blocking,
    2: libraries,
    3: heavy_work,
    4: sync_dependencies,
    5: awaited_side_effects,
    6: docs,
    7: base_model,
    8: responses,
    9: request_bodies,
    10: existence_checks,
    11: pooling,
    12: lifespan,
    13: secrets,
    14: print_logging,
    15: deployment,
}
CHECKS: dict[int, Check] = {number: module.check for number, module in MODULES.items()}
