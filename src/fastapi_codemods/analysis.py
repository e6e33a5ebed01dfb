"""Running the transforms' read-only project analyses, side by side when cores allow.

Every analysis reads the ``ast`` of many files in the main process before any
file is rewritten, so on a large root it is the part of the run that does not
get faster with ``-j``. An analysis that reads every file of the root and keeps
none of the trees (`Transform.ANALYSIS_READS_EVERY_FILE`) shares little with the
others: with two or more jobs it runs in a forked process while the main process
runs the rest, which share their parsed files among themselves.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from fastapi_codemods.codemods._base import Transform
from fastapi_codemods.project import Project


class AnalysisError(Exception):
    """An analysis crashed: ``transform`` names it, the message says how.

    Built from strings only, so that it crosses back from a forked process.
    """

    def __init__(self, transform: str, message: str) -> None:
        super().__init__(transform, message)
        self.transform = transform
        self.message = message

    def __str__(self) -> str:
        return self.message


# What a forked analysis process reads: set before the fork, inherited by it.
_FORKED: tuple[Project, dict[str, type[Transform]], Mapping[str, Mapping[str, Any]]] | None = None


def analyze(
    transforms: Sequence[type[Transform]],
    project: Project,
    options: Mapping[str, Mapping[str, Any]],
    jobs: int,
) -> dict[str, Any]:
    """``transform.NAME -> transform.analyze_project(project, options)`` for each one."""
    apart = [t for t in transforms if t.ANALYSIS_READS_EVERY_FILE] if _can_fork(jobs, transforms) else []
    facts: dict[str, Any] = {}
    if not apart:
        for transform in transforms:
            facts[transform.NAME] = _run(transform, project, options)
        return facts

    global _FORKED
    _FORKED = (project, {t.NAME: t for t in apart}, options)
    try:
        with ProcessPoolExecutor(
            max_workers=min(len(apart), jobs - 1), mp_context=multiprocessing.get_context("fork")
        ) as executor:
            pending: dict[str, Future[Any]] = {t.NAME: executor.submit(_run_forked, t.NAME) for t in apart}
            for transform in transforms:
                if transform.NAME not in pending:
                    facts[transform.NAME] = _run(transform, project, options)
            for name, future in pending.items():
                facts[name] = future.result()
    finally:
        _FORKED = None
    return {transform.NAME: facts[transform.NAME] for transform in transforms}


def _can_fork(jobs: int, transforms: Sequence[type[Transform]]) -> bool:
    return jobs > 1 and len(transforms) > 1 and sys.platform.startswith("linux")


def _run(transform: type[Transform], project: Project, options: Mapping[str, Mapping[str, Any]]) -> Any:
    try:
        return transform.analyze_project(project, options[transform.NAME])
    except Exception as error:  # reported as a run error, never as a traceback
        raise AnalysisError(transform.NAME, f"{type(error).__name__}: {error}") from error


def _run_forked(name: str) -> Any:
    assert _FORKED is not None, "only called in a process forked by analyze()"
    project, transforms, options = _FORKED
    return _run(transforms[name], project, options)
