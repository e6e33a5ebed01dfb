"""Paths in, an `AuditReport` out; reads the code and writes nothing.

Each root is discovered, configured and analysed as ``run`` does (the driver's
`root_config`, `discover_root` and `option_table`), with the checks' per-file passes
scheduled together, in worker processes under ``-j``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_codemods import __version__
from fastapi_codemods.analysis import code_roles
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.checks import CHECKS, MODULES
from fastapi_codemods.audit.facts import AuditFacts
from fastapi_codemods.audit.practices import PRACTICES
from fastapi_codemods.audit.records import (
    AuditReport,
    Outcome,
    PracticeResult,
    combine,
)
from fastapi_codemods.engine.driver import (
    PathNames,
    UsageError,
    analysis_jobs,
    discover_root,
    option_table,
    root_config,
)
from fastapi_codemods.engine.sources import decode_source, python_syntax_error, read_regular


@dataclass(frozen=True)
class AuditOptions:
    paths: Sequence[Path]
    excludes: list[str] = field(default_factory=list)
    jobs: int | None = None


def audit(options: AuditOptions, today: datetime.date | None = None) -> AuditReport:
    """Run every check on every root and combine their outcomes per practice."""
    names = PathNames()
    outcomes: dict[int, list[Outcome]] = {number: [] for number in CHECKS}
    errors: list[tuple[str, str]] = []
    roots: list[str] = []
    for root in options.paths:
        root = Path(root)
        config = root_config(root)
        project = discover_root(root, config, options.excludes, names)
        shown = names(root)
        roots.append(shown)
        tables = {module.TRANSFORM: option_table(module.TRANSFORM, config)
                  for module in MODULES.values() if module.TRANSFORM}
        scheduled: dict[str, tuple[FilePass, dict]] = {p.name: (p, {}) for p in code_roles.FILE_PASSES}
        for module in MODULES.values():
            for file_pass in module.FILE_PASSES:
                scheduled.setdefault(file_pass.name, (file_pass, tables.get(module.TRANSFORM, {})))
        try:
            project.compute_all(list(scheduled.values()), analysis_jobs(project, options.jobs))
        except Exception as error:  # a broken worker pool
            raise UsageError(f"internal error while analysing {shown}: {type(error).__name__}: {error}") from error
        errors.extend(unreadable(project))
        facts = AuditFacts(project, shown, tables)
        for number, check in CHECKS.items():
            try:
                outcomes[number].append(check(project, facts))
            except Exception as error:  # reported as a run error, never as a traceback
                raise UsageError(
                    f"internal error in the audit check of practice {number} while analysing {shown}: "
                    f"{type(error).__name__}: {error}"
                ) from error
        project.release()
    results = []
    for practice in PRACTICES:
        outcome = combine(outcomes[practice.number])
        results.append(PracticeResult(practice, outcome.verdict, outcome.evidence, outcome.reason))
    return AuditReport(
        project=" ".join(roots),
        date=(today or datetime.date.today()).isoformat(),
        tool_version=__version__,
        results=tuple(results),
        roots=tuple(roots),
        errors=tuple(sorted(set(errors))),
    )


def unreadable(project: Project) -> list[tuple[str, str]]:
    """(display path, problem) of each file the analysis could not read, decode or
    parse, worded as ``run`` words them."""
    parsed = code_roles.parsed(project)
    found = []
    for path, info in project.files:
        if info.relpath in parsed:
            continue
        text = project.text(path)
        if text is None:
            try:
                decode_source(read_regular(path))
                problem = "cannot decode"
            except OSError as error:
                problem = f"cannot read: {error.strerror}"
            except ValueError as error:
                problem = str(error)
        else:
            problem = python_syntax_error(text) or "syntax error"
        found.append((info.path, problem))
    return found
