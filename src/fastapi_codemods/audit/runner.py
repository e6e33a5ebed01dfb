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
    Verdict,
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
    unread_application = 0
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
        jobs = analysis_jobs(project, options.jobs)
        try:
            project.compute_all(list(scheduled.values()), jobs)
        except Exception as error:  # a broken worker pool
            raise UsageError(f"internal error while analysing {shown}: {type(error).__name__}: {error}") from error
        unread = unreadable(project)
        errors.extend(unread)
        if unread:
            shown_paths = application_paths(project)
            unread_application += sum(1 for path, _problem in unread if path in shown_paths)
        facts = AuditFacts(project, shown, tables, jobs)
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
        outcome = depending_on_unread(combine(outcomes[practice.number]), unread_application)
        results.append(PracticeResult(practice, outcome.verdict, outcome.evidence, outcome.reason, outcome.fixes))
    return AuditReport(
        project=" ".join(roots),
        date=(today or datetime.date.today()).isoformat(),
        tool_version=__version__,
        results=tuple(results),
        roots=tuple(roots),
        errors=tuple(sorted(set(errors))),
    )


def depending_on_unread(outcome: Outcome, unread: int) -> Outcome:
    """Every check reads the code, so a PASS or NOT APPLICABLE may change once the
    ``unread`` application files are read: NEEDS ATTENTION, with the count. A FAIL
    stands on its evidence, and says how much was not read."""
    if not unread:
        return outcome
    note = f"{unread} application file(s) could not be read (see \"Files not read\")"
    if outcome.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE):
        was = f"; without them: {outcome.verdict.value}" + (f", {outcome.reason}" if outcome.reason else "")
        return Outcome(Verdict.NEEDS_ATTENTION, outcome.evidence, note + was, outcome.fixes)
    return Outcome(outcome.verdict, outcome.evidence, f"{outcome.reason}; {note}" if outcome.reason else note,
                   outcome.fixes)


def application_paths(project: Project) -> set[str]:
    """Display paths of the root's files that are not test code or documentation by
    their path alone (what an unread file can be judged by)."""
    return {
        info.path for _path, info in project.files
        if not info.is_test_file and not code_roles.DOCS_FOLDERS.intersection(Path(info.relpath).parts[:-1])
    }


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
