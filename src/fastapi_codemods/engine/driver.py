"""Paths in, per-file results out; the only code that writes files.

For each root: load its configuration, discover its files, run the transforms'
read-only project analysis, then process every file (in parallel processes when
asked) and, in write mode, write the changed files atomically.

libcst (the transforms and `fastapi_codemods.engine.pipeline`) is imported only once the
analysis workers have their files: importing it takes about 0.6 s, which they
spend reading the project. Hence the imports of the pipeline inside functions here;
the analysis modules too are imported only once a root misses the cache, so that a
run answered from it imports little more than discovery and the cache.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi_codemods import codemods
from fastapi_codemods.engine import cache, gcpolicy
from fastapi_codemods.engine.config import Config, ConfigError, load_config
from fastapi_codemods.engine.discovery import absolute, import_root, pattern_problem, python_files
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.limits import limit_problem
from fastapi_codemods.engine.options import Mode, RunOptions, UsageError
from fastapi_codemods.engine.results import FileResult, Finding, Status
from fastapi_codemods.engine.sources import decode, read_regular
from fastapi_codemods.engine.workerpool import isolated_map, largest_first, start_method
from fastapi_codemods.engine.writing import Writer

if TYPE_CHECKING:
    from fastapi_codemods.analysis.project import Project
    from fastapi_codemods.cst.transform import Transform
    from fastapi_codemods.engine.pipeline import Plan

__all__ = ["Mode", "RunOptions", "UsageError", "RunOutcome", "RootSummary", "run", "plan_root", "write_result"]


@dataclass(frozen=True)
class RootSummary:
    path: str
    scanned: int
    changed: int
    unchanged: int
    failed: int
    skipped: int
    # Files no transform rewrote because they are not application code, by reason
    # (`analysis.code_roles`), and what each transform deliberately kept.
    left_alone: tuple[tuple[str, int], ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # (transform, summary line)
    cache: cache.Stats | None = None  # None when the root was not cached


@dataclass
class RunOutcome:
    """Everything the report needs: per-file results, per-root totals, refusals."""

    mode: Mode
    results: list[FileResult]
    roots: list[RootSummary]
    dirty: list[str] = field(default_factory=list)
    # Why ``dirty`` lists files git could not answer for (what git said); None when
    # git answered and they hold uncommitted changes.
    git_error: str | None = None
    # Display path -> the file to write (a review writes after the run).
    targets: dict[str, Path] = field(default_factory=dict)
    # One line each, for stderr: what the run did not do as asked (an untrusted cache).
    warnings: list[str] = field(default_factory=list)
    writer: Writer = field(default_factory=Writer)

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


class PathNames:
    """Display paths for one run: relative to the enclosing git work tree, else to
    the current folder.

    The git root is looked up, and symlinks resolved, once per folder, not once per
    file (resolving a path stats each of its parts). One instance per run, so a
    repository created between two runs is seen.
    """

    def __init__(self) -> None:
        self._cwd = Path.cwd().resolve()
        self._git_roots: dict[Path, Path | None] = {}
        self._folders: dict[Path, Path] = {}
        self._prefixes: dict[tuple[str, str], tuple[str, str]] = {}
        self._walked: dict[str, str] = {}  # absolute root folder -> resolved, with the separator

    def walked(self, root: Path) -> None:
        """Note that discovery walked ``root`` (absolute): the folders it found below
        are real folders, never symlinks, so each resolves to the resolved root plus
        its own relative path, with no ``realpath`` (a stat per part) each."""
        self._walked[os.path.join(root, "")] = os.path.join(self._resolved_folder(root), "")

    def resolve(self, path: Path) -> Path:
        """``path.resolve()``, with the resolved folders remembered."""
        if path.is_symlink() or path.name in ("", ".", ".."):
            return path.resolve()
        return self._resolved_folder(path.parent) / path.name

    def _resolved_folder(self, folder: Path, walked: bool = False) -> Path:
        """``folder.resolve()``; ``walked``: discovery descended into it (see `walked`)."""
        resolved = self._folders.get(folder)
        if resolved is None:
            text = os.fspath(folder)
            for root, resolved_root in self._walked.items() if walked else ():
                if text.startswith(root):
                    resolved = Path(resolved_root + text[len(root):])
                    break
            else:
                resolved = folder.resolve()
            self._folders[folder] = resolved
        return resolved

    def git_root(self, folder: Path) -> Path | None:
        return self._git_root_of(self.resolve(folder))

    def _git_root_of(self, folder: Path) -> Path | None:
        """`find_git_root` of a resolved folder, its parents' answers reused: a tree
        of a hundred folders stats each ``.git`` candidate once, not once per folder."""
        if folder not in self._git_roots:
            if os.path.exists(os.path.join(folder, ".git")):
                self._git_roots[folder] = folder
            elif folder.parent == folder:
                self._git_roots[folder] = None
            else:
                self._git_roots[folder] = self._git_root_of(folder.parent)
        return self._git_roots[folder]

    def _shown_from(self, folder: Path) -> Path:
        """What display paths under ``folder`` are relative to: its git root, else the
        working folder."""
        git_root = self.git_root(folder)
        return git_root if git_root is not None else self._cwd

    def __call__(self, path: Path) -> str:
        absolute = self.resolve(path)
        base = self._shown_from(absolute if absolute.is_dir() else absolute.parent)
        return Path(os.path.relpath(absolute, base)).as_posix()

    def of_file(self, path: str | Path, base: Path, regular: bool = False) -> tuple[str, str]:
        """(display path, path relative to ``base``) of a file: what ``self(path)`` and
        ``relpath(resolve(path), base)`` give, from its folder's names, worked out once
        per folder (a large tree has tens of files per folder). ``regular``: the
        caller knows it is no symlink (discovery saw a regular file)."""
        if not regular and ((named := Path(path)).is_symlink() or named.name in ("", ".", "..")):
            resolved = named.resolve()
            return self(resolved), Path(os.path.relpath(resolved, base)).as_posix()
        # Split as a string: two pathlib objects per file cost more than the rest here.
        text = os.fspath(path)
        head, _, name = text.rpartition(os.sep)
        if not head and text.startswith(os.sep):
            head = os.sep
        key = (head, os.fspath(base))
        prefixes = self._prefixes.get(key)
        if prefixes is None:
            folder = self._resolved_folder(Path(head), walked=regular)
            git_root = self._git_root_of(folder)
            shown_from = git_root if git_root is not None else self._cwd
            prefixes = self._prefixes[key] = (_folder_prefix(folder, shown_from), _folder_prefix(folder, base))
        return prefixes[0] + name, prefixes[1] + name


def _folder_prefix(folder: Path, base: Path) -> str:
    """``folder`` relative to ``base`` as a prefix for its files' names ("" for ``base``)."""
    relative = os.path.relpath(folder, base)
    if os.sep != "/":
        relative = relative.replace(os.sep, "/")
    return "" if relative == "." else relative + "/"


# Below this many files the analysis runs in the main process. Forked workers start
# in milliseconds and read the files while the main process imports libcst, so they
# pay off from the first file; a spawned worker (macOS, Windows) starts a whole
# interpreter, which pays off only on larger roots.
PARALLEL_ANALYSIS_MIN_FILES = {"fork": 1, "spawn": 100}


def root_config(root: Path) -> Config:
    """The configuration of one root; a missing root or a bad configuration is a
    usage error."""
    if not root.exists():
        raise UsageError(f"{root}: no such file or folder")
    try:
        return load_config(root)
    except ConfigError as error:
        raise UsageError(str(error)) from error


def discover_root(root: Path, config: Config, excludes: Sequence[str], names: PathNames) -> Project:
    """The root's Python files (the command line's and the configuration's excludes
    applied), as the read-only `Project` every command analyses."""
    return _project(root, discover_files(root, config, excludes, names))


def discover_files(root: Path, config: Config, excludes: Sequence[str], names: PathNames) -> list[tuple[str, FileInfo]]:
    """The root's Python files, as (path, `FileInfo`) pairs: strings, since a run
    answered from the cache needs no path object per file."""
    problem = pattern_problem(excludes)
    if problem is not None:
        raise UsageError(f"invalid --exclude pattern {problem}")
    walked = root.is_dir()  # its files are regular files found by the walk, never symlinks
    base = import_root(absolute(root) if walked else absolute(root).parent).resolve()
    patterns = [(root, list(excludes))]
    if config.base is not None:
        patterns.append((config.base, config.exclude))
    files: list[tuple[str, FileInfo]] = []
    if walked:
        names.walked(absolute(root))
    for found in python_files(root, patterns):
        # A symlink named on the command line is resolved once, here: its target
        # is the file processed and written (`engine.writing` never follows one).
        path = found if walked else os.path.realpath(found)
        shown, relpath = names.of_file(path, base, regular=walked)
        files.append((path, FileInfo(path=shown, relpath=relpath)))
    return files


def _project(root: Path, files: Sequence[tuple[str, FileInfo]]) -> Project:
    from fastapi_codemods.analysis.project import Project

    return Project(root, [(Path(path), info) for path, info in files])


def option_table(name: str, config: Config) -> dict[str, Any]:
    """Transform ``name``'s options: its defaults, then the configuration's."""
    return {
        **codemods.options_of(name),
        "include_tests": config.include_tests,
        **config.transform_options.get(name, {}),
    }


def analysis_jobs(project: Project, jobs: int | None) -> int:
    """Worker processes for the project analysis (one below the parallel threshold)."""
    jobs = jobs or default_jobs()
    return jobs if len(project.files) >= PARALLEL_ANALYSIS_MIN_FILES[start_method()] else 1


@dataclass
class Prepared:
    """A root before its analysis: what the cache needs to recognise a run; the
    `Project` is made only for a root the cache does not answer."""

    root: Path
    config: Config
    chosen: list[str]
    files: list[tuple[str, FileInfo]]

    @cached_property
    def project(self) -> Project:
        return _project(self.root, self.files)


def prepare_root(root: Path, options: RunOptions, names: PathNames) -> Prepared:
    """Configuration, chosen transforms and file list of one root."""
    config = root_config(root)
    try:
        chosen = codemods.chosen_names(
            options.only if options.only is not None else config.only,
            options.skip if options.skip is not None else config.skip,
        )
    except ValueError as error:
        source = f" (from {config.source})" if options.only is None and options.skip is None and config.source else ""
        raise UsageError(f"{error}{source}") from error
    return Prepared(root, config, chosen, discover_files(root, config, options.excludes, names))


def plan_root(root: Path, options: RunOptions, names: PathNames | None = None) -> tuple[Plan, Project]:
    """Configuration, file list and project analysis for one root."""
    names = names or PathNames()
    prepared = prepare_root(root, options, names)
    return analyse_root(prepared, options, names), prepared.project


def analyse_root(prepared: Prepared, options: RunOptions, names: PathNames) -> Plan:
    """The project analysis of a prepared root, as the plan its files are processed with."""
    from fastapi_codemods.analysis import code_roles

    root, config, chosen, project = prepared.root, prepared.config, prepared.chosen, prepared.project
    # Which transforms run with it: print_to_logging counts on the logging setup_logging adds.
    option_tables = {name: {**option_table(name, config), "run_transforms": tuple(chosen)} for name in chosen}
    scheduled = [(file_pass, {}) for file_pass in code_roles.FILE_PASSES]
    scheduled += [(file_pass, option_tables[name]) for name in chosen for file_pass in codemods.file_passes_of(name)]
    # A shared pass (the program model) is declared by each transform using it: run it once.
    scheduled = list({file_pass.name: (file_pass, table) for file_pass, table in reversed(scheduled)}.values())[::-1]
    transforms: list[type[Transform]] = []
    try:
        project.compute_all(
            scheduled,
            analysis_jobs(project, options.jobs),
            meanwhile=lambda: transforms.extend(codemods.load(name) for name in chosen),
        )
    except Exception as error:  # a broken pool or transform import; a failing pass fails where it is used
        raise UsageError(
            f"internal error while analysing {names(root)}: {type(error).__name__}: {error}; nothing written"
        ) from error
    facts = {}
    for transform in transforms:
        try:
            facts[transform.NAME] = transform.analyze_project(project, option_tables[transform.NAME])
        except Exception as error:  # reported as a run error, never as a traceback
            raise UsageError(
                f"internal error in {transform.NAME} while analysing {names(root)}: "
                f"{type(error).__name__}: {error}; nothing written"
            ) from error
    from fastapi_codemods.engine.pipeline import Plan

    not_application = code_roles.not_application(project)
    fmt = options.format if options.format is not None else config.format
    plan = Plan(
        root=names(root),
        transforms=transforms,
        options=option_tables,
        facts=facts,
        not_application=not_application,
        format=fmt,
        black_config=config.black if fmt else {},
    )
    return plan


def _created_files(plan: Plan, project: Project, names: PathNames,
                   existing: list[Path] | None = None) -> list[tuple[FileResult, Path]]:
    """Files the transforms create (e.g. a logging module), with where to write them.

    Only under a folder root: a run on single files never creates files beside them.
    A file that already exists is never overwritten (its target is added to
    ``existing``); text that is not valid Python fails like a bad rewrite would.
    """
    from fastapi_codemods.engine.pipeline import validation_problem

    created: list[tuple[FileResult, Path]] = []
    if not project.root.is_dir():
        return created
    for transform in plan.transforms:
        for relpath, text in _files_hook(transform, "new_files", plan).items():
            target = absolute(project.root / relpath)
            if target.exists() or target.is_symlink():
                if existing is not None:
                    existing.append(target)
                continue
            data = text.encode("utf-8")
            result = FileResult(
                path=names(target),
                root=plan.root,
                status=Status.CHANGED,
                new=data,
                transforms=(transform.NAME,),
                created=True,
            )
            problem = validation_problem(b"", data) if target.suffix == ".py" else None
            if problem is not None:
                result = replace(
                    result, status=Status.FAILED, new=None,
                    error=f"internal error in {transform.NAME}: {problem}; file not created",
                )
            created.append((result, target))
    return created


def _files_hook(transform: Any, hook: str, plan: Plan) -> dict[str, Any]:
    """A transform's ``new_files`` or ``edited_files`` for the plan; a crash in it is a
    run error naming the transform, never a traceback."""
    try:
        return getattr(transform, hook)(plan.facts.get(transform.NAME), plan.options[transform.NAME])
    except Exception as error:
        raise UsageError(
            f"internal error in {transform.NAME}.{hook}: {type(error).__name__}: {error}; nothing written"
        ) from error


def _edited_files(plan: Plan, project: Project, names: PathNames) -> list[tuple[FileResult, Path]]:
    """Existing non-Python files the transforms edit, with where they are.

    The bytes are read again here: the result holds the exact old and new bytes (the
    diff and the write use them), encoded as the file was (a BOM stays), with the
    file's permission bits. A file whose text is no longer what the transform read,
    or a Python file (the pipeline's business), fails and is left untouched.
    """
    from fastapi_codemods.engine.sources import decode, encoding_of

    edited: list[tuple[FileResult, Path]] = []
    if not project.root.is_dir():
        return edited
    for transform in plan.transforms:
        for relpath, (expected, text) in _files_hook(transform, "edited_files", plan).items():
            target = absolute(project.root / relpath)
            result = FileResult(path=names(target), root=plan.root, status=Status.FAILED, transforms=(transform.NAME,))
            try:
                mode = stat.S_IMODE(target.stat().st_mode)
                data = read_regular(target)
            except OSError as error:
                edited.append((replace(result, error=f"cannot read: {error.strerror}"), target))
                continue
            if target.suffix == ".py" or decode(data) != expected:
                problem = "a Python file" if target.suffix == ".py" else "changed while the project was analysed"
                edited.append((replace(result, error=f"internal error in {transform.NAME}: {problem}; file left untouched"), target))
                continue
            new = text.encode(encoding_of(data))
            if new != data:
                edited.append((replace(result, status=Status.CHANGED, old=data, new=new, mode=mode), target))
    return edited


_PLANS: list[Plan] = []


def _init_worker(plans: list[Plan]) -> None:
    _PLANS[:] = plans


def _process(task: _Task) -> FileResult:
    from fastapi_codemods.engine.pipeline import process_source

    plan = _PLANS[task.plan_index]
    try:
        mode = stat.S_IMODE(task.path.stat().st_mode)
        data = read_regular(task.path)
    except OSError as error:
        return FileResult(path=task.info.path, root=plan.root, status=Status.FAILED, error=f"cannot read: {error.strerror}")
    text = decode(data)
    problem = limit_problem(text) if text is not None else None
    if problem is not None:
        return FileResult(path=task.info.path, root=plan.root, status=Status.FAILED,
                          error=f"beyond the per-file limits: {problem}; file left untouched")
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
        return replace(result, mode=mode)
    # Only a changed file's old bytes are needed (for the diff): don't pickle the rest.
    return replace(result, old=b"")


def run(options: RunOptions, on_result: Callable[[FileResult], None] | None = None,
        on_total: Callable[[int], None] | None = None) -> RunOutcome:
    """Process every root; write changed files in write mode unless refused."""
    names = PathNames()
    plans: list[Plan] = []
    tasks: list[_Task] = []
    created: list[FileResult] = []
    untouched: list[FileResult] = []  # files no transform wants: never sent to a worker
    # Display path -> the file; a string for files answered unchanged from the cache.
    real_paths: dict[str, Path | str] = {}
    roots: list[_Root] = []
    sessions: list[cache.Session | None] = []  # by plan index
    warnings: list[str] = []
    for root in options.paths:
        # Released before the collector runs again: it would scan every cached tree.
        with gcpolicy.paused():
            prepared = prepare_root(Path(root), options, names)
            session = _cache_session(prepared, options, names, real_paths, warnings)
            record = session.record() if session is not None else None
            if record is not None:
                roots.append(_Root(record.facts, session))
                untouched.extend(_from_record(record, session.paths, real_paths, created))
                continue
            project = prepared.project
            plan = analyse_root(prepared, options, names)
            from fastapi_codemods.analysis import code_roles
            from fastapi_codemods.engine.pipeline import describe_syntax_error, wanted_by_none

            plans.append(plan)
            sessions.append(session)
            explicit = project.root.is_file()
            if session is not None:
                session.use_plan(plan, explicit)
            parsed = code_roles.parsed(project)
            for path, info in project.files:
                if info.path not in real_paths:
                    real_paths[info.path] = path
                    text = None if explicit else project.text(path)
                    if text is not None and wanted_by_none(text, info, plan):
                        warning = None if info.relpath in parsed else describe_syntax_error(text, None)
                        untouched.append(
                            FileResult(path=info.path, root=plan.root, status=Status.UNCHANGED, warning=warning)
                        )
                    elif session is not None and (hit := session.lookup(info.path)) is not None:
                        untouched.append(_refreshed(hit, path))
                    else:
                        tasks.append(_Task(len(plans) - 1, path, info, explicit))
            root_created = [*_created_files(plan, project, names, existing := []), *_edited_files(plan, project, names)]
            for result, target in root_created:
                if result.path not in real_paths:
                    real_paths[result.path] = target
                    created.append(result)
            roots.append(_Root(_root_facts(plan), session, root_created, existing, project.inputs.notes()))
            project.release()
    if on_total:
        on_total(len(tasks) + len(untouched))
    for result in untouched:
        if on_result:
            on_result(result)

    # A run answered from the cache has no file to process, nor garbage to collect first.
    with gcpolicy.for_files() if tasks else nullcontext():
        results = _process_all(plans, tasks, options.jobs or default_jobs(), on_result)
    _remember(tasks, results, sessions)
    results.extend(untouched)
    results.extend(created)
    results.sort(key=lambda result: result.path)
    for root_run in roots:
        root_run.finish(results)

    dirty: list[str] = []
    git_error = None
    writer = Writer(allow_readonly=options.allow_readonly)
    if options.mode in (Mode.WRITE, Mode.REVIEW):
        changed = [result for result in results if result.status is Status.CHANGED]
        if not options.allow_dirty:
            # Created files are new paths: nothing of the user's can be lost there.
            # Edited non-Python files (a requirements.txt) are guarded like sources.
            dirty, git_error = _dirty([Path(real_paths[r.path]) for r in changed if not r.created], names)
        if not dirty and options.mode is Mode.WRITE:
            results = write_all(results, real_paths, writer)
    targets = {result.path: Path(real_paths[result.path]) for result in results if result.status is Status.CHANGED}
    return RunOutcome(mode=options.mode, results=results, roots=_summaries(roots, results), dirty=dirty,
                      targets=targets, warnings=warnings, writer=writer, git_error=git_error)


def write_all(results: list[FileResult], real_paths: Mapping[str, Path | str], writer: Writer) -> list[FileResult]:
    """Write every changed result; the results as written (a refused one FAILED).

    Created files go first, and a transform whose created file could not be written
    (or was invalid) gets none of its other files written: an interrupted run then leaves at most a
    created file without the edits that go with it, which the transforms recognise
    as their own (a rerun completes the edits), never the edits without the file.
    """
    by_path = {result.path: result for result in results}
    order = sorted((r for r in results if r.status is Status.CHANGED), key=lambda r: (not r.created, r.path))
    failed_creators = {name for r in results if r.created and r.status is Status.FAILED for name in r.transforms}
    for result in order:
        held_back = failed_creators.intersection(result.transforms)
        if held_back:
            by_path[result.path] = replace(
                result, status=Status.FAILED, new=None,
                error=f"not written: the file {sorted(held_back)[0]} creates could not be written",
            )
            continue
        written = writer.write(result, Path(real_paths[result.path]))
        if written.status is Status.FAILED and result.created:
            failed_creators.update(result.transforms)
        by_path[result.path] = written
    return [by_path[result.path] for result in results]


def write_result(outcome: RunOutcome, result: FileResult) -> FileResult:
    """Write one result of a review run (``result.new`` is what the reviewer
    accepted) atomically, as a write run would; a failure comes back as FAILED."""
    if outcome.mode is not Mode.REVIEW or outcome.dirty:
        raise ValueError("only a review run that was not refused writes its results afterwards")
    return outcome.writer.write(result, outcome.targets[result.path])


@dataclass
class _Root:
    """One root's summary facts and cache use; a root taken from a run record has
    nothing left to store."""

    facts: cache.RootFacts
    session: cache.Session | None
    created: list[tuple[FileResult, Path]] | None = None
    existing: list[Path] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)  # the analysis's questions (`engine.inputs`)

    def finish(self, results: list[FileResult]) -> None:
        if self.session is not None and self.created is not None:
            self.session.finish(results, self.created, self.existing, self.facts, self.notes)


def _cache_session(prepared: Prepared, options: RunOptions, names: PathNames,
                   seen: Mapping[str, object], warnings: list[str]) -> cache.Session | None:
    """The root's cache, its files hashed; None when not caching. Files an earlier
    root of the run already took are not this root's."""
    store = cache.RootCache.of(prepared.root, options.cache, warnings)
    if store is None:
        return None
    setup = cache.setup_digest(names(prepared.root), prepared.config, prepared.chosen, options.format)
    files = [(path, info) for path, info in prepared.files if info.path not in seen]
    return cache.Session.start(store, setup, files)


def _from_record(record: cache.RunRecord, paths: Mapping[str, str], real_paths: dict[str, Path | str],
                 created: list[FileResult]) -> list[FileResult]:
    """A run record's results, registered like computed ones (``paths``: where each
    file of the root is); its created files go to ``created``."""
    results = []
    for result in record.results:
        path = paths[result.path]
        real_paths.setdefault(result.path, path)
        results.append(_refreshed(result, path))
    for result, target in record.created:
        if result.path not in real_paths:
            real_paths[result.path] = Path(target)
            created.append(result)
    return results


def _refreshed(result: FileResult, path: Path | str) -> FileResult:
    """A cached changed result with the file's permission bits as they are now."""
    if result.status is not Status.CHANGED:
        return result
    try:
        return replace(result, mode=stat.S_IMODE(os.stat(path).st_mode))
    except OSError:
        return result


def _remember(tasks: list[_Task], results: list[FileResult], sessions: list[cache.Session | None]) -> None:
    """Store each computed result in its root's cache."""
    by_path = {task.info.path: task for task in tasks}
    for result in results:
        task = by_path.get(result.path)
        session = sessions[task.plan_index] if task is not None else None
        if session is not None:
            session.remember(result)


def _root_facts(plan: Plan) -> cache.RootFacts:
    return cache.RootFacts(
        root=plan.root,
        left_alone=_left_alone(plan),
        kept=tuple(
            (transform.NAME, line) for transform in plan.transforms for line in transform.kept(plan.facts.get(transform.NAME))
        ),
    )


def _process_all(plans: list[Plan], tasks: list[_Task], jobs: int,
                 on_result: Callable[[FileResult], None] | None) -> list[FileResult]:
    """Every task's result. In worker processes, a file that crashes its worker or
    takes too long fails alone and the others go on. One job or one file is
    processed here, with no process to start: there the per-file limits checked in
    `_process` are the guard."""
    results: list[FileResult] = []
    if jobs <= 1 or len(tasks) <= 1:
        _init_worker(plans)
        for task in tasks:
            result = _process(task)
            results.append(result)
            if on_result:
                on_result(result)
        return results

    def lost(task: _Task, reason: str) -> FileResult:
        return FileResult(path=task.info.path, root=plans[task.plan_index].root, status=Status.FAILED,
                          error=f"{reason}; file left untouched")

    # Largest files first, one at a time.
    tasks = largest_first(tasks, lambda task: task.path)
    for result in isolated_map(_process, tasks, min(jobs, len(tasks)), _init_worker, (plans,), lost):
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _dirty(paths: list[Path], names: PathNames) -> tuple[list[str], str | None]:
    """Display paths of the files whose current content git could not restore, and
    what git said when it failed (every file of that repository is then listed)."""
    from fastapi_codemods.engine.gitstate import GitFailed, dirty_files  # subprocess: only write mode needs it

    by_repo: dict[Path, list[Path]] = {}
    for path in paths:
        git_root = names.git_root(path.resolve().parent)
        if git_root is not None:
            by_repo.setdefault(git_root, []).append(path.resolve())
    dirty: list[str] = []
    error = None
    for git_root, repo_paths in by_repo.items():
        try:
            found = dirty_files(git_root, repo_paths)
        except GitFailed as failure:
            found, error = repo_paths, str(failure)
        dirty.extend(names(path) for path in found)
    return sorted(dirty), error


def _summaries(roots: list[_Root], results: list[FileResult]) -> list[RootSummary]:
    summaries = []
    for root in roots:
        mine = [result for result in results if result.root == root.facts.root and not result.created]
        count = {status: sum(1 for r in mine if r.status is status) for status in Status}
        summaries.append(
            RootSummary(
                path=root.facts.root,
                scanned=len(mine),
                changed=count[Status.CHANGED],
                unchanged=count[Status.UNCHANGED],
                failed=count[Status.FAILED],
                skipped=count[Status.SKIPPED],
                left_alone=root.facts.left_alone,
                kept=root.facts.kept,
                cache=root.session.store.stats if root.session is not None else None,
            )
        )
    return summaries


def _left_alone(plan: Plan) -> tuple[tuple[str, int], ...]:
    """Counts by reason of the files some chosen transform did not rewrite as
    not application code (none when every transform includes them)."""
    if all(t.includes_tests(plan.options.get(t.NAME, {})) for t in plan.transforms):
        return ()
    return tuple(sorted(Counter(plan.not_application.values()).items()))
