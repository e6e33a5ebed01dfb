"""The write path (`engine.writing`): no lost update, no write-through a symlink, no
read-only file rewritten unasked, no temporary file left behind, and a closed stdout
that does not change the exit code.

Faults are injected at a chosen point of the write loop (`writing.before_replace`,
called right before each replace), never by timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WEB_APP_PRINTING, cli_env
from sample_transforms import Flag

from fastapi_codemods.engine import interactive, writing
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.report import exit_code
from fastapi_codemods.engine.results import Status


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_transforms) -> Path:
    use_transforms(Flag)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app/a.py").write_text("flagged()\n")
    (root / "app/b.py").write_text("y = flagged\n")
    return root


def result_of(outcome, name: str):
    return next(result for result in outcome.results if result.path.endswith(name))


@pytest.mark.parametrize("allow_dirty", [False, True])
def test_a_file_edited_during_the_run_is_not_written(project: Path, monkeypatch, allow_dirty: bool) -> None:
    def edit_a(name: str) -> None:
        if name == "a.py":
            (project / "app/a.py").write_text("flagged()\nmine = 1\n")

    monkeypatch.setattr(writing, "before_replace", edit_a)
    outcome = run(RunOptions(paths=[project], jobs=1, allow_dirty=allow_dirty))
    a = result_of(outcome, "a.py")
    assert a.status is Status.FAILED and a.error == "changed during the run: not written"
    assert (project / "app/a.py").read_text() == "flagged()\nmine = 1\n"
    assert (project / "app/b.py").read_text() == "y = done\n"  # the rest goes on
    assert exit_code(outcome) == 2


def test_an_edit_saved_during_the_interactive_review_is_kept(project: Path) -> None:
    outcome = run(RunOptions(paths=[project], mode=Mode.REVIEW, jobs=1))

    def answer(prompt: str) -> str:
        if "a.py" in prompt:  # the reviewer's editor saves the file meanwhile
            (project / "app/a.py").write_text("edited()\n")
        return "y"

    reviewed, _tally = interactive.review(outcome, color=False, ask=answer)
    assert result_of(reviewed, "a.py").error == "changed during the run: not written"
    assert (project / "app/a.py").read_text() == "edited()\n"
    assert (project / "app/b.py").read_text() == "y = done\n"
    assert exit_code(reviewed) == 2


def test_a_file_replaced_by_a_symlink_is_not_written_through(project: Path, tmp_path: Path, monkeypatch) -> None:
    decoy = tmp_path / "passwd"
    decoy.write_text("flagged()\n")

    def swap(name: str) -> None:
        if name == "a.py":
            (project / "app/a.py").unlink()
            (project / "app/a.py").symlink_to(decoy)

    monkeypatch.setattr(writing, "before_replace", swap)
    outcome = run(RunOptions(paths=[project], jobs=1))
    a = result_of(outcome, "a.py")
    assert a.status is Status.FAILED and "symbolic link" in a.error
    assert decoy.read_text() == "flagged()\n"
    assert (project / "app/a.py").is_symlink()
    assert sorted(p.name for p in (project / "app").iterdir()) == ["a.py", "b.py"]


def test_a_file_replaced_by_a_fifo_is_not_opened(project: Path, monkeypatch) -> None:
    def swap(name: str) -> None:
        if name == "a.py":
            (project / "app/a.py").unlink()
            os.mkfifo(project / "app/a.py")

    monkeypatch.setattr(writing, "before_replace", swap)
    outcome = run(RunOptions(paths=[project], jobs=1))
    assert result_of(outcome, "a.py").error == "not a regular file: not written"


def test_a_read_only_file_is_rewritten_only_when_allowed(project: Path) -> None:
    (project / "app/a.py").chmod(0o444)
    outcome = run(RunOptions(paths=[project], jobs=1))
    a = result_of(outcome, "a.py")
    assert a.status is Status.FAILED and "read-only (mode 0444)" in a.error and "--allow-readonly" in a.error
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert exit_code(outcome) == 2
    outcome = run(RunOptions(paths=[project], jobs=1, allow_readonly=True))
    assert result_of(outcome, "a.py").status is Status.CHANGED
    assert (project / "app/a.py").read_text() == "done()\n"
    assert (project / "app/a.py").stat().st_mode & 0o777 == 0o444


def test_an_interrupted_write_leaves_no_temporary_file(project: Path, monkeypatch) -> None:
    def interrupt(name: str) -> None:
        assert any(writing.is_temp_name(entry) for entry in os.listdir(project / "app"))
        raise KeyboardInterrupt

    monkeypatch.setattr(writing, "before_replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(RunOptions(paths=[project], jobs=1))
    assert sorted(os.listdir(project / "app")) == ["a.py", "b.py"]


def test_the_next_run_removes_temporary_files_of_dead_runs_only(project: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead = int(finished.stdout)
    stale = f".a.py.fastapi-codemods-{dead}-0123abcd.tmp"
    alive = f".b.py.fastapi-codemods-{os.getppid()}-0123abcd.tmp"
    foreign = ".a.py.k2j3h4.tmp"  # not ours: never removed
    for name in (stale, alive, foreign):
        (project / "app" / name).write_text("partial")
    run(RunOptions(paths=[project], jobs=1))
    assert sorted(os.listdir(project / "app")) == sorted([alive, foreign, "a.py", "b.py"])


@pytest.mark.parametrize(("args", "expected"), [([], 0), (["--check"], 1), (["--diff"], 1), (["--readonly"], 2)])
def test_a_closed_stdout_does_not_change_the_exit_code(tmp_path: Path, args: list[str], expected: int) -> None:
    (tmp_path / "main.py").write_text(WEB_APP_PRINTING)
    if args == ["--readonly"]:
        (tmp_path / "main.py").chmod(0o444)
        args = []
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte, as after `| head -0`
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "fastapi_codemods", "run", "--no-cache", "--allow-dirty", "--only",
             "print_to_logging", "--output-format", "json", *args, "."],
            cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE, env=cli_env(),
        )
    finally:
        os.close(write_end)
    assert completed.returncode == expected, completed.stderr.decode()
    assert b"Traceback" not in completed.stderr


SIGTERM_AT_FIRST_WRITE = """
import os, signal, sys
from fastapi_codemods.engine import writing
from fastapi_codemods.cli import main

def hook(name):
    os.kill(os.getpid(), signal.SIGTERM)

writing.before_replace = hook
sys.argv[0] = "fastapi-codemods"
main()
"""


def test_sigterm_during_a_write_removes_the_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(WEB_APP_PRINTING)
    completed = subprocess.run(
        [sys.executable, "-c", SIGTERM_AT_FIRST_WRITE, "run", "--no-cache", "--allow-dirty", "."],
        cwd=tmp_path, capture_output=True, env=cli_env(),
    )
    assert completed.returncode == 130, completed.stderr.decode()
    assert sorted(os.listdir(tmp_path)) == ["main.py"]
    assert (tmp_path / "main.py").read_text() == WEB_APP_PRINTING


def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    from fastapi_codemods.engine.sources import read_regular

    (tmp_path / "file").write_bytes(b"data")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    os.mkfifo(tmp_path / "fifo")
    assert read_regular(tmp_path / "file") == b"data"
    assert read_regular(tmp_path / "link") == b"data"
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path / "fifo")  # no writer: a plain open would block here
    with pytest.raises(OSError):
        read_regular(tmp_path / "link", follow_symlinks=False)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path)
