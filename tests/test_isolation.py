"""One file never stops the run, and no run leaves a process or a blocked open behind.

Crashes are injected by a transform or a pass that kills its own process on a
marked file; the parent's death by SIGKILL of a child run at a point it reports on
a pipe. Nothing here sleeps: every wait is on a pipe or a process.
"""

from __future__ import annotations

import faulthandler
import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from conftest import WEB_APP_PRINTING, cli_env

from fastapi_codemods.analysis.filepasses import FilePass, computing_in_workers
from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine import workerpool
from fastapi_codemods.engine.driver import RunOptions, run
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.limits import MAX_DEPTH, limit_problem
from fastapi_codemods.engine.report import exit_code
from fastapi_codemods.engine.results import Status


class CrashOnMarker(Transform):
    """Rename ``flagged`` to ``done``; a file holding ``crash_here`` kills its process
    the way a native parser's stack overflow does."""

    NAME = "crash_on_marker"
    PREFILTER = ("flagged",)

    def visit_Module(self, node: cst.Module) -> None:
        if "crash_here" in node.code:
            faulthandler.disable()  # pytest's handler would print the worker's stack
            os.kill(os.getpid(), signal.SIGSEGV)
        if "hang_here" in node.code:
            os.read(_BLOCK[0], 1)  # a pipe nobody writes to

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value="done") if original_node.value == "flagged" else updated_node


_BLOCK = os.pipe()


def make_tree(root: Path, count: int, extra: dict[str, str]) -> Path:
    for index in range(count):
        (root / f"m{index:02}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / f"m{index:02}.py").write_text(f"flagged = {index}\n")
    for name, text in extra.items():
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_worker_that_dies_fails_its_file_alone(tmp_path: Path, use_transforms, jobs: int) -> None:
    use_transforms(CrashOnMarker)
    root = make_tree(tmp_path, 12, {"bad.py": "flagged = 1  # crash_here\n", "bad2.py": "flagged  # crash_here\n"})
    outcome = run(RunOptions(paths=[root], jobs=jobs, allow_dirty=True))
    failed = {r.path.rsplit("/", 1)[-1]: r.error for r in outcome.results if r.status is Status.FAILED}
    assert sorted(failed) == ["bad.py", "bad2.py"]
    assert all("the worker process died on it" in error and "SIGSEGV" in error for error in failed.values())
    assert all((root / f"m{index:02}.py").read_text() == f"done = {index}\n" for index in range(12))
    assert exit_code(outcome) == 2


def test_a_file_over_the_time_limit_fails_alone(tmp_path: Path, use_transforms, monkeypatch) -> None:
    use_transforms(CrashOnMarker)
    monkeypatch.setattr(workerpool, "TIME_LIMIT", 10.0)  # far above what a tiny file takes under load
    root = make_tree(tmp_path, 4, {"slow.py": "flagged  # hang_here\n"})
    outcome = run(RunOptions(paths=[root], jobs=2, allow_dirty=True))
    slow = next(r for r in outcome.results if r.path.endswith("slow.py"))
    assert slow.status is Status.FAILED and "the per-file time limit" in slow.error
    assert (root / "m03.py").read_text() == "done = 3\n"


PATHOLOGICAL = {
    "parens.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\nprint(x)\n",
    "terms.py": "print(1)\nx = " + "+".join(["a"] * 100_000) + "\n",
    "calls.py": "print(1)\nx = " + "f(" * 1000 + "1" + ")" * 1000 + "\n",
    "nots.py": "print(1)\nx = " + "not " * 10_000 + "a\n",
    "chain.py": "print(1)\nx = " + "+".join(["a"] * (MAX_DEPTH + 50)) + "\n",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_files_are_beyond_the_limits(name: str) -> None:
    assert limit_problem(PATHOLOGICAL[name]) is not None


def test_ordinary_code_is_within_the_limits() -> None:
    for path in (Path(__file__).parents[1] / "src").rglob("*.py"):
        assert limit_problem(path.read_text()) is None, path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pathological_files_fail_named_and_the_run_goes_on(tmp_path: Path, jobs: str) -> None:
    for name, text in PATHOLOGICAL.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "fine.py").write_text(WEB_APP_PRINTING)
    completed = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "run", "--no-cache", "--allow-dirty", "-j", jobs,
         "--only", "print_to_logging", "."],
        cwd=tmp_path, capture_output=True, env=cli_env(), timeout=600,
    )
    stderr = completed.stderr.decode()
    assert completed.returncode == 2, stderr
    for name in PATHOLOGICAL:
        assert f"error: {name}: beyond the per-file limits" in stderr
    assert "logger.info" in (tmp_path / "fine.py").read_text()
    assert "Traceback" not in stderr


def crash_on_marker(info: FileInfo, tree: Any, text: str, options: Any) -> int:
    if "crash_here" in text:
        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)
    return len(text)


def test_an_analysis_worker_that_dies_loses_only_its_file(tmp_path: Path) -> None:
    names = [f"m{index:02}.py" for index in range(20)] + ["bad.py"]
    for name in names:
        (tmp_path / name).write_text("x = 1  # crash_here\n" if name == "bad.py" else f"x = {name!r}\n")
    files = [(tmp_path / name, FileInfo(path=name, relpath=name)) for name in names]
    with computing_in_workers(files, [(FilePass("size", (), crash_on_marker), {})], 2) as found:
        results = {files[index][1].relpath: result["size"] for index, result in found}
    assert sorted(results) == sorted(set(names) - {"bad.py"})


CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from fastapi_codemods.analysis.filepasses import FilePass, computing_in_workers
    from fastapi_codemods.engine.fileinfo import FileInfo

    def block(info, tree, text, options):
        os.write(1, b"%d\\n" % os.getpid())
        os.read(0, 1)  # stdin: the test never writes to it

    files = [(Path(name), FileInfo(path=name, relpath=name)) for name in sys.argv[1:]]
    with computing_in_workers(files, [(FilePass("block", (), block), {})], 2) as found:
        list(found)
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_run_is_killed(tmp_path: Path, sig: int) -> None:
    names = []
    for index in range(20):
        (tmp_path / f"m{index}.py").write_text("x = 1\n")
        names.append(str(tmp_path / f"m{index}.py"))
    child = subprocess.Popen([sys.executable, "-c", CHILD, *names], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=cli_env())
    assert child.stdout is not None
    workers = {int(child.stdout.readline()), int(child.stdout.readline())}  # both blocked in a file
    child.send_signal(sig)
    child.wait()
    # The workers held the stdout pipe: reading it to the end returns only once they
    # are all gone, as `$(fastapi-codemods ...)` does. Bounded, so a regression fails.
    ready, _, _ = select.select([child.stdout], [], [], 120)
    assert ready and child.stdout.read() == b""
    assert len(workers) == 2
    child.stdin.close()  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["requirements.txt", "pyproject.toml", "app.py", ".gitignore"])
def test_a_fifo_in_the_project_is_never_opened(tmp_path: Path, name: str) -> None:
    (tmp_path / "main.py").write_text('from fastapi import FastAPI\n\napp = FastAPI()\nprint("hi")\n')
    os.mkfifo(tmp_path / name)
    for command in (["run", "--no-cache", "--allow-dirty"], ["audit"]):
        completed = subprocess.run([sys.executable, "-m", "fastapi_codemods", *command, "."], cwd=tmp_path,
                                   capture_output=True, env=cli_env(), timeout=300, stdin=subprocess.DEVNULL)
        assert b"Traceback" not in completed.stderr
    assert "logger" in (tmp_path / "main.py").read_text()
