"""The driver: roots to results, atomic writes, created files, the dirty-tree guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git
from sample_transforms import (
    BreakCode,
    CountFiles,
    CrashAnalysis,
    CreateModule,
    EditRequirements,
    Flag,
    InsertTop,
)

from fastapi_codemods.engine import driver, writing
from fastapi_codemods.engine.driver import Mode, RunOptions, UsageError, run
from fastapi_codemods.engine.report import exit_code
from fastapi_codemods.engine.results import Status


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def statuses(outcome) -> dict[str, str]:
    return {result.path: result.status.value for result in outcome.results}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_transforms) -> Path:
    use_transforms(Flag)
    monkeypatch.chdir(tmp_path)
    return write(tmp_path / "proj", {"app/a.py": "flagged()\n", "app/b.py": "x = 1\n", "app/c.py": "y = flagged\n"})


def test_writes_changed_files_and_leaves_the_others_alone(project: Path) -> None:
    old = 1_000_000_000
    os.utime(project / "app/b.py", (old, old))
    (project / "app/a.py").chmod(0o751)
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert statuses(outcome) == {"proj/app/a.py": "changed", "proj/app/b.py": "unchanged", "proj/app/c.py": "changed"}
    assert (project / "app/a.py").read_text() == "done()\n"
    assert (project / "app/a.py").stat().st_mode & 0o777 == 0o751
    assert (project / "app/b.py").stat().st_mtime == old
    assert sorted(p.name for p in (project / "app").iterdir()) == ["a.py", "b.py", "c.py"]
    assert exit_code(outcome) == 0


@pytest.mark.parametrize("mode", [Mode.DIFF, Mode.CHECK])
def test_dry_runs_write_nothing_and_exit_1(project: Path, mode: Mode) -> None:
    outcome = run(RunOptions(paths=[project], mode=mode, jobs=1))
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert statuses(outcome)["proj/app/a.py"] == "changed"
    assert exit_code(outcome) == 1


def test_parallel_and_serial_runs_give_the_same_results(project: Path, use_transforms) -> None:
    use_transforms(InsertTop, Flag)
    write(project, {f"app/m{i}.py": f"v{i} = flagged\n" for i in range(6)})
    write(project, {"app/bad.py": "def (:\n"})
    serial = run(RunOptions(paths=[project], mode=Mode.DIFF, jobs=1))
    parallel = run(RunOptions(paths=[project], mode=Mode.DIFF, jobs=2))
    assert serial.results == parallel.results
    assert serial.findings == parallel.findings and len(serial.findings) == 8


def test_a_failing_file_does_not_stop_the_run_and_exits_2(project: Path, use_transforms) -> None:
    write(project, {"app/py2.py": 'flagged = 1\nprint "x"\n', "app/zz.py": "flagged\n"})
    outcome = run(RunOptions(paths=[project], jobs=1))
    results = {r.path: r for r in outcome.results}
    assert results["proj/app/py2.py"].status is Status.FAILED
    assert "line 2" in results["proj/app/py2.py"].error
    assert (project / "app/zz.py").read_text() == "done\n"
    assert exit_code(outcome) == 2
    # 2 wins over 1 in dry runs too
    assert exit_code(run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=1))) == 2


def test_invalid_output_leaves_the_file_untouched(project: Path, use_transforms) -> None:
    use_transforms(BreakCode)
    outcome = run(RunOptions(paths=[project / "app/b.py"], jobs=1))
    assert outcome.results[0].status is Status.FAILED
    assert outcome.results[0].error.startswith("internal error: the rewritten code does not compile")
    assert (project / "app/b.py").read_text() == "x = 1\n"
    assert exit_code(outcome) == 2


def test_a_failed_write_leaves_no_partial_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(driver.os, "replace", refuse)
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert statuses(outcome)["proj/app/a.py"] == "failed"
    assert "cannot write" in next(r.error for r in outcome.results if r.path == "proj/app/a.py")
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert sorted(p.name for p in (project / "app").iterdir()) == ["a.py", "b.py", "c.py"]
    assert exit_code(outcome) == 2


def test_a_symlink_named_on_the_command_line_is_resolved_once(project: Path) -> None:
    (project / "link.py").symlink_to(project / "app/a.py")
    run(RunOptions(paths=[project / "link.py"], jobs=1))
    assert (project / "link.py").is_symlink()
    assert (project / "app/a.py").read_text() == "done()\n"


def test_file_names_worked_out_per_folder_match_those_worked_out_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    write(repo, {"top.py": "", "pkg/__init__.py": "", "pkg/deep/mod.py": ""})
    git("init", "-q", cwd=repo)
    write(tmp_path, {"outside/free.py": "", "elsewhere/real.py": ""})
    (repo / "pkg" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (repo / "pkg" / "alias.py").symlink_to(repo / "pkg" / "deep" / "mod.py")
    monkeypatch.chdir(tmp_path / "outside")
    files = [
        repo / "top.py", repo / "pkg" / "__init__.py", repo / "pkg" / "deep" / "mod.py",
        repo / "pkg" / "linked" / "real.py", repo / "pkg" / "alias.py", tmp_path / "outside" / "free.py",
        Path("free.py"),
    ]
    for base in (repo.resolve(), (repo / "pkg").resolve()):
        per_folder = driver.PathNames()
        for path in files:
            per_file = driver.PathNames()
            expected = (per_file(path), Path(os.path.relpath(per_file.resolve(path), base)).as_posix())
            assert per_folder.of_file(path, base) == expected, path


def test_a_file_named_explicitly_is_processed_even_if_ignored_or_generated(project: Path) -> None:
    write(project, {".gitignore": "ignored/\n", "ignored/x.py": "flagged\n", "gen.py": "# @generated\nflagged\n"})
    folder_run = run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=1))
    assert "proj/ignored/x.py" not in statuses(folder_run)
    assert statuses(folder_run)["proj/gen.py"] == "skipped"
    explicit = run(RunOptions(paths=[project / "ignored/x.py", project / "gen.py"], mode=Mode.CHECK, jobs=1))
    assert statuses(explicit) == {"proj/ignored/x.py": "changed", "proj/gen.py": "changed"}


def test_each_root_uses_its_own_config_and_has_its_own_totals(tmp_path: Path, monkeypatch, use_transforms) -> None:
    use_transforms(InsertTop, Flag)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "one/pyproject.toml": '[tool.fastapi-codemods]\nonly = ["flag"]\n',
        "one/a.py": "flagged\n",
        "one/b.py": "x = 1\n",
        "two/pyproject.toml": '[tool.fastapi-codemods]\nskip = ["flag"]\nexclude = ["skipme.py"]\n',
        "two/a.py": "flagged\n",
        "two/skipme.py": "flagged\n",
    })
    outcome = run(RunOptions(paths=[Path("one"), Path("two")], jobs=1))
    assert (tmp_path / "one/a.py").read_text() == "done\n"
    assert (tmp_path / "two/a.py").read_text() == "inserted()\nflagged\n"
    assert (tmp_path / "two/skipme.py").read_text() == "flagged\n"
    assert [(r.path, r.scanned, r.changed, r.unchanged, r.failed) for r in outcome.roots] == [
        ("one", 2, 1, 1, 0),
        ("two", 1, 1, 0, 0),
    ]


def test_a_file_under_two_roots_is_processed_once(project: Path) -> None:
    outcome = run(RunOptions(paths=[project, project / "app/a.py"], mode=Mode.CHECK, jobs=1))
    assert [r.path for r in outcome.results].count("proj/app/a.py") == 1


def test_project_analysis_sees_the_roots_files(project: Path, use_transforms) -> None:
    use_transforms(CountFiles)
    outcome = run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=1))
    assert {f.reason for f in outcome.findings} == {"3 files in root"}


def test_a_crashing_analysis_is_an_error_before_anything_is_written(project: Path, use_transforms) -> None:
    use_transforms(Flag, CrashAnalysis)
    with pytest.raises(UsageError, match="internal error in crash_analysis"):
        run(RunOptions(paths=[project], jobs=1))
    assert (project / "app/a.py").read_text() == "flagged()\n"


def test_a_missing_path_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        run(RunOptions(paths=[project / "nope"], jobs=1))


def test_paths_are_relative_to_the_git_root(project: Path, git_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo(project)
    monkeypatch.chdir(project / "app")
    outcome = run(RunOptions(paths=[Path(".")], mode=Mode.CHECK, jobs=1))
    assert [r.path for r in outcome.results] == ["app/a.py", "app/b.py", "app/c.py"]
    assert outcome.roots[0].path == "app"


# --- created files -----------------------------------------------------------


def test_created_file_is_written_in_a_new_folder(project: Path, use_transforms) -> None:
    use_transforms(CreateModule)
    outcome = run(RunOptions(paths=[project], jobs=1))
    created = [r for r in outcome.results if r.created]
    assert [(r.path, r.status) for r in created] == [("proj/newpkg/created.py", Status.CHANGED)]
    assert (project / "newpkg/created.py").read_text() == "VALUE = 1\n"
    assert (project / "app/a.py").read_text() == "done()\n"
    # counted apart from the root's scanned files
    assert outcome.roots[0].scanned == 3
    assert exit_code(outcome) == 0
    second = run(RunOptions(paths=[project], jobs=1))
    assert not any(r.created for r in second.results)


def test_an_existing_file_is_never_overwritten_by_a_created_one(project: Path, use_transforms) -> None:
    use_transforms(CreateModule)
    write(project, {"newpkg/created.py": "mine = 1\n"})
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert not any(r.created for r in outcome.results)
    assert (project / "newpkg/created.py").read_text() == "mine = 1\n"


def test_a_file_appearing_during_the_run_is_not_clobbered(project: Path, use_transforms, monkeypatch) -> None:
    use_transforms(CreateModule)

    def racing_write(name: str) -> None:
        if name == "created.py":
            write(project, {"newpkg/created.py": "appeared = 1\n"})

    monkeypatch.setattr(writing, "before_replace", racing_write)
    outcome = run(RunOptions(paths=[project], jobs=1))
    created = next(r for r in outcome.results if r.created)
    assert created.status is Status.FAILED and "appeared during the run" in created.error
    assert (project / "newpkg/created.py").read_text() == "appeared = 1\n"
    assert sorted(p.name for p in (project / "newpkg").iterdir()) == ["created.py"]


def test_invalid_created_text_fails_and_creates_nothing(project: Path, use_transforms) -> None:
    use_transforms(CreateModule)
    write(project, {"pyproject.toml": '[tool.fastapi-codemods.create_module]\ntext = "def (:"\n'})
    outcome = run(RunOptions(paths=[project], jobs=1))
    created = next(r for r in outcome.results if r.created)
    assert created.status is Status.FAILED and "does not parse" in created.error
    assert not (project / "newpkg").exists()
    assert exit_code(outcome) == 2


def test_no_file_is_created_when_the_root_is_a_file(project: Path, use_transforms) -> None:
    use_transforms(CreateModule)
    outcome = run(RunOptions(paths=[project / "app/a.py"], jobs=1))
    assert not any(r.created for r in outcome.results)
    assert not (project / "newpkg").exists()


# --- edited non-Python files -------------------------------------------------


def test_an_edited_file_keeps_its_bytes_and_mode_and_counts_as_changed(project: Path, use_transforms) -> None:
    use_transforms(Flag, EditRequirements)
    write(project, {"requirements.txt": b"\xef\xbb\xbffastapi\r\n"})
    os.chmod(project / "requirements.txt", 0o640)
    outcome = run(RunOptions(paths=[project], jobs=1))
    edited = next(r for r in outcome.results if r.path == "proj/requirements.txt")
    assert (edited.status, edited.created, edited.transforms) == (Status.CHANGED, False, ("edit_requirements",))
    assert (project / "requirements.txt").read_bytes() == b"\xef\xbb\xbffastapi\r\ngunicorn\r\n"
    assert oct((project / "requirements.txt").stat().st_mode & 0o777) == oct(0o640)
    # counted with the root's files (a.py, c.py and requirements.txt changed)
    assert (outcome.roots[0].scanned, outcome.roots[0].changed) == (4, 3)


def test_an_edited_file_changed_since_the_analysis_is_left_untouched(project: Path, use_transforms, monkeypatch) -> None:
    use_transforms(Flag, EditRequirements)
    write(project, {"requirements.txt": "fastapi\n"})
    real_analyse_root = driver.analyse_root

    def analyse_then_edit(*args, **kwargs):
        planned = real_analyse_root(*args, **kwargs)
        write(project, {"requirements.txt": "fastapi\nhttpx\n"})
        return planned

    monkeypatch.setattr(driver, "analyse_root", analyse_then_edit)
    outcome = run(RunOptions(paths=[project], jobs=1))
    edited = next(r for r in outcome.results if r.path == "proj/requirements.txt")
    assert edited.status is Status.FAILED and "changed while the project was analysed" in edited.error
    assert (project / "requirements.txt").read_text() == "fastapi\nhttpx\n"
    assert exit_code(outcome) == 2


# --- the dirty-tree guard ----------------------------------------------------


@pytest.mark.parametrize("state", ["modified", "untracked"])
def test_a_dirty_edited_file_refuses_the_write(project: Path, git_repo, use_transforms, state: str) -> None:
    use_transforms(Flag, EditRequirements)
    write(project, {"requirements.txt": "fastapi\n"})
    git_repo(project)
    if state == "modified":
        write(project, {"requirements.txt": "fastapi\nmine\n"})
    else:
        git("rm", "-q", "--cached", "requirements.txt", cwd=project)
        git("commit", "-qm", "untrack", cwd=project)
    before = (project / "requirements.txt").read_bytes()
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert outcome.dirty == ["requirements.txt"]
    assert (project / "requirements.txt").read_bytes() == before
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert exit_code(outcome) == 2


@pytest.mark.parametrize("state", ["modified", "staged", "untracked", "ignored"])
def test_refuses_to_write_over_uncommitted_work(project: Path, git_repo, state: str) -> None:
    git_repo(project)
    target = project / "app/c.py"
    if state == "modified":
        target.write_text("y = flagged  # my work\n")
    elif state == "staged":
        target.write_text("y = flagged  # my work\n")
        git("add", "app/c.py", cwd=project)
    elif state == "untracked":
        git("rm", "-q", "--cached", "app/c.py", cwd=project)
        git("commit", "-qm", "untrack", cwd=project)
    else:
        write(project, {".gitignore": "c.py\n"})
        git("rm", "-q", "--cached", "app/c.py", cwd=project)
        git("add", ".gitignore", cwd=project)
        git("commit", "-qm", "ignore", cwd=project)
    before = target.read_bytes()
    paths = [project / "app/c.py", project / "app/a.py"] if state == "ignored" else [project]
    outcome = run(RunOptions(paths=paths, jobs=1))
    assert outcome.dirty == ["app/c.py"]
    assert target.read_bytes() == before
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert exit_code(outcome) == 2

    for mode in (Mode.DIFF, Mode.CHECK):
        dry = run(RunOptions(paths=paths, mode=mode, jobs=1))
        assert dry.dirty == [] and exit_code(dry) == 1

    allowed = run(RunOptions(paths=paths, allow_dirty=True, jobs=1))
    assert allowed.dirty == [] and exit_code(allowed) == 0
    assert (project / "app/a.py").read_text() == "done()\n"


def test_clean_files_are_written_when_unrelated_files_are_dirty(project: Path, git_repo) -> None:
    git_repo(project)
    (project / "app/b.py").write_text("x = 2\n")  # dirty but not changed by the run
    write(project, {"notes.txt": "untracked\n"})
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert outcome.dirty == [] and exit_code(outcome) == 0
    assert (project / "app/a.py").read_text() == "done()\n"


def test_created_files_need_no_clean_folder(project: Path, git_repo, use_transforms) -> None:
    use_transforms(CreateModule)
    write(project, {"newpkg/notes.txt": "untracked\n"})
    git_repo(project)
    write(project, {"newpkg/scratch.py": "mine = 1\n"})
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert outcome.dirty == []
    assert (project / "newpkg/created.py").read_text() == "VALUE = 1\n"
    assert (project / "newpkg/scratch.py").read_text() == "mine = 1\n"


def test_a_file_named_with_glob_characters_is_checked_literally(project: Path, git_repo) -> None:
    write(project, {"app/[a].py": "flagged\n"})
    git_repo(project)
    (project / "app/a.py").write_text("flagged  # my work\n")
    outcome = run(RunOptions(paths=[project / "app/[a].py"], jobs=1))
    assert outcome.dirty == [] and (project / "app/[a].py").read_text() == "done\n"


def test_one_job_or_one_file_runs_in_this_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(driver, "isolated_map", no_pool)
    assert exit_code(run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=1))) == 1
    assert exit_code(run(RunOptions(paths=[project / "app/a.py"], mode=Mode.CHECK, jobs=4))) == 1
    with pytest.raises(AssertionError, match="worker pool"):
        run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=2))


def test_default_jobs_is_the_cores_this_process_may_use() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert driver.default_jobs() == expected >= 1


def test_only_files_some_transform_wants_are_processed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The others are settled from the text the analysis read: never read again, never
    sent to a worker. A NUL, an @generated or a skip marker still gets a closer look."""
    write(project, {"app/marked.py": "x = 1  # fastapi-codemods: skip-file\n", "app/nul.py": "x = 1\0\n"})
    processed: list[str] = []
    real_process = driver._process

    def recording(task):
        processed.append(task.info.relpath)
        return real_process(task)

    monkeypatch.setattr(driver, "_process", recording)
    outcome = run(RunOptions(paths=[project], mode=Mode.CHECK, jobs=1))
    assert sorted(processed) == ["app/a.py", "app/c.py", "app/marked.py", "app/nul.py"]
    assert statuses(outcome) == {
        "proj/app/a.py": "changed",
        "proj/app/b.py": "unchanged",
        "proj/app/c.py": "changed",
        "proj/app/marked.py": "skipped",
        "proj/app/nul.py": "failed",
    }
