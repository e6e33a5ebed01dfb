"""Paths in, per-file results out; the only code that writes files.

For each root: load its configuration, discover its files, run the transforms'
read-only project analysis, then process every file (in parallel processes when
asked) and, in write mode, write the changed files atomically.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from fastapi_codemods.codemods import select
from fastapi_codemods.config import Config, ConfigError, find_pyproject, load_config
from fastapi_codemods.discovery import find_git_root, iter_python_files
from fastapi_codemods.fileinfo import FileInfo
from fastapi_codemods.gitstate import dirty_files
from fastapi_codemods.pipeline import Plan, process_source
from fastapi_codemods.project import Project
from fastapi_codemods.results import FileResult, Finding, Status


class Mode(str, Enum):
    WRITE = "write"
    DIFF = "diff"
    CHECK = "check"


class UsageError(Exception):
    """Bad paths, options or configuration: exit code 2 before any file is touched."""


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for; ``None`` means "not given on the command line"."""

    paths: Sequence[Path]
    mode: Mode = Mode.WRITE
    only: list[str] | None = None
    skip: list[str] | None = None
    excludes: list[str] = field(default_factory=list)
    jobs: int | None = None
    allow_dirty: bool = False
    format: bool | None = None


@dataclass(frozen=True)
class RootSummary:
    path: str
    scanned: int
    changed: int
    unchanged: int
    failed: int
    skipped: int


@dataclass
class RunOutcome:
    """Everything the report needs: per-file results, per-root totals, refusals."""

    mode: Mode
    results: list[FileResult]
    roots: list[RootSummary]
    dirty: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return sorted(finding for result in self.results for finding in result.findings)


@dataclass(frozen=True)
class _Task:
    plan_index: int
    path: Path
    info: FileInfo
    explicit: bool


def default_jobs() -> int:
    """The cores this process may use (respects CPU affinity and containers)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def import_root(folder: Path) -> Path:
    """The folder module names are relative to: the first one up without ``__init__.py``."""
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def display_path(path: Path) -> str:
    """Relative to the enclosing git work tree, else to the current folder."""
    absolute = path.resolve()
    git_root = find_git_root(absolute)
    base = git_root.resolve() if git_root is not None else Path.cwd().resolve()
    return Path(os.path.relpath(absolute, base)).as_posix()


def plan_root(root: Path, options: RunOptions) -> tuple[Plan, list[_Task], Project]:
    """Configuration, file list and project analysis for one root."""
    if not root.exists():
        raise UsageError(f"{root}: no such file or folder")
    try:
        config = load_config(root)
    except ConfigError as error:
        raise UsageError(str(error)) from error
    try:
        transforms = select(
            options.only if options.only is not None else config.only,
            options.skip if options.skip is not None else config.skip,
        )
    except ValueError as error:
        source = f" (from {config.source})" if options.only is None and options.skip is None and config.source else ""
        raise UsageError(f"{error}{source}") from error

    base = import_root(root if root.is_dir() else root.parent)
    files: list[tuple[Path, FileInfo]] = []
    for path in iter_python_files(root, [*config.exclude, *options.excludes]):
        relpath = Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
        files.append((path, FileInfo(path=display_path(path), relpath=relpath)))

    project = Project(root, files)
    option_tables = {t.NAME: {**t.OPTIONS, **config.transform_options.get(t.NAME, {})} for t in transforms}
    facts = {t.NAME: t.analyze_project(project, option_tables[t.NAME]) for t in transforms}
    fmt = options.format if options.format is not None else config.format
    plan = Plan(
        root=display_path(root),
        transforms=transforms,
        options=option_tables,
        facts=facts,
        format=fmt,
        black_config=_black_config(root) if fmt else {},
    )
    return plan, [_Task(-1, path, info, root.is_file()) for path, info in files], project


def _black_config(root: Path) -> dict:
    from fastapi_codemods.config import tomllib

    pyproject = find_pyproject(root.resolve())
    if pyproject is None:
        return {}
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("black", {})
    except (OSError, ValueError):
        return {}


def _created_files(plan: Plan, project: Project) -> list[tuple[FileResult, Path]]:
    """Files the transforms create (e.g. a logging module), with where to write them.

    Only under a folder root: a run on single files never creates files beside them.
    """
    created: list[tuple[FileResult, Path]] = []
    if not project.root.is_dir():
        return created
    for transform in plan.transforms:
        for relpath, text in transform.new_files(plan.facts.get(transform.NAME), plan.options[transform.NAME]).items():
            target = project.root / relpath
            if target.exists():
                continue
            result = FileResult(
                path=display_path(target),
                root=plan.root,
                status=Status.CHANGED,
                new=text.encode("utf-8"),
                transforms=(transform.NAME,),
                created=True,
            )
            created.append((result, target))
    return created


_PLANS: list[Plan] = []


def _init_worker(plans: list[Plan]) -> None:
    _PLANS[:] = plans


def _process(task: _Task) -> FileResult:
    plan = _PLANS[task.plan_index]
    try:
        data = task.path.read_bytes()
    except OSError as error:
        return FileResult(path=task.info.path, root=plan.root, status=Status.FAILED, error=f"cannot read: {error.strerror}")
    try:
        result = process_source(data, task.info, plan, explicit=task.explicit)
    except Exception as error:  # noqa: BLE001 - a crash on one file must not stop the run
        result = FileResult(
            path=task.info.path,
            root=plan.root,
            status=Status.FAILED,
            old=data,
            error=f"internal error: {type(error).__name__}: {error}; file left untouched",
        )
    if result.status is Status.CHANGED:
        result = replace(result, mode=stat.S_IMODE(task.path.stat().st_mode))
    return result


def run(options: RunOptions, on_result: Callable[[FileResult], None] | None = None,
        on_total: Callable[[int], None] | None = None) -> RunOutcome:
    """Process every root; write changed files in write mode unless refused."""
    plans: list[Plan] = []
    tasks: list[_Task] = []
    created: list[FileResult] = []
    real_paths: dict[str, Path] = {}
    for root in options.paths:
        plan, root_tasks, project = plan_root(Path(root), options)
        index = len(plans)
        plans.append(plan)
        for task in root_tasks:
            if task.info.path not in real_paths:
                real_paths[task.info.path] = task.path
                tasks.append(replace(task, plan_index=index))
        for result, target in _created_files(plan, project):
            if result.path not in real_paths:
                real_paths[result.path] = target
                created.append(result)
    if on_total:
        on_total(len(tasks))

    results = _process_all(plans, tasks, options.jobs or default_jobs(), on_result)
    results.extend(created)
    results.sort(key=lambda result: result.path)

    dirty: list[str] = []
    if options.mode is Mode.WRITE:
        changed = [result for result in results if result.status is Status.CHANGED]
        if not options.allow_dirty:
            dirty = _dirty([real_paths[r.path] for r in changed if not r.created], real_paths)
        if not dirty:
            results = [_write(result, real_paths[result.path]) if result.status is Status.CHANGED else result for result in results]
    return RunOutcome(mode=options.mode, results=results, roots=_summaries(plans, results), dirty=dirty)


def _process_all(plans: list[Plan], tasks: list[_Task], jobs: int,
                 on_result: Callable[[FileResult], None] | None) -> list[FileResult]:
    results: list[FileResult] = []
    if jobs <= 1 or len(tasks) <= 1:
        _init_worker(plans)
        for task in tasks:
            result = _process(task)
            results.append(result)
            if on_result:
                on_result(result)
        return results
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)),
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(plans,),
    ) as executor:
        for result in executor.map(_process, tasks, chunksize=chunk):
            results.append(result)
            if on_result:
                on_result(result)
    return results


def _dirty(paths: list[Path], real_paths: dict[str, Path]) -> list[str]:
    by_repo: dict[Path, list[Path]] = {}
    for path in paths:
        git_root = find_git_root(path.resolve())
        if git_root is not None:
            by_repo.setdefault(git_root, []).append(path)
    dirty: list[str] = []
    for git_root, repo_paths in by_repo.items():
        dirty.extend(display_path(path) for path in dirty_files(git_root, repo_paths))
    return sorted(dirty)


def _write(result: FileResult, path: Path) -> FileResult:
    """Replace ``path`` atomically with the new bytes, keeping its permission bits."""
    assert result.new is not None
    folder = path.parent
    mode = result.mode
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(result.new)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        if result.created and path.exists():
            raise FileExistsError(f"{path} appeared during the run")
        os.replace(temp_name, path)
    except OSError as error:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        return replace(result, status=Status.FAILED, new=None, error=f"cannot write: {error}")
    return result


def _summaries(plans: list[Plan], results: list[FileResult]) -> list[RootSummary]:
    summaries = []
    for plan in plans:
        mine = [result for result in results if result.root == plan.root and not result.created]
        count = {status: sum(1 for r in mine if r.status is status) for status in Status}
        summaries.append(
            RootSummary(
                path=plan.root,
                scanned=len(mine),
                changed=count[Status.CHANGED],
                unchanged=count[Status.UNCHANGED],
                failed=count[Status.FAILED],
                skipped=count[Status.SKIPPED],
            )
        )
    return summaries
