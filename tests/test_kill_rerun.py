"""An interrupted run converges: killed at any write, the next run reaches the tree
of an uninterrupted run.

The kill is injected at a chosen write (`engine.writing.before_replace`): by SIGKILL
of a child command line (`benchmarks/kill_rerun.py`), or in this process by an
exception no code catches. The property test draws the project and the kill point.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastapi_codemods.analysis import logging_plan, server_plan
from fastapi_codemods.codemods.production_server._config import render
from fastapi_codemods.codemods.setup_logging._template import render as render_logging
from fastapi_codemods.engine import writing
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.report import exit_code

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import kill_rerun  # noqa: E402

MAIN = '''\
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    print("hello")
    return {"ok": True}
'''
MODULE = '''\
def work():
    print("working")
'''
SERVE = '''\
import uvicorn

if __name__ == "__main__":
    uvicorn.run("app.main:app", reload=True)
'''
SETTINGS = '''\
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DEBUG: bool = False


settings = Settings()
'''
REQUIREMENTS = "fastapi==0.115.0\nuvicorn==0.30.1\n"
PYPROJECT = '[project]\nname = "demo"\nversion = "1"\ndependencies = [\n    "fastapi>=0.110",\n]\n'


def _main(modules: int) -> str:
    """The app module; its route calls each module's ``work``, so the web app runs
    their prints (print_to_logging converts only prints a program shows as records)."""
    if not modules:
        return MAIN
    names = [f"m{index}" for index in range(modules)]
    calls = "".join(f"    {name}.work()\n" for name in names)
    return (f"from app import {', '.join(names)}\n" + MAIN).replace('    print("hello")\n', f'    print("hello")\n{calls}')


def build(root: Path, modules: int, serve: bool, declaration: str, procfile: bool) -> Path:
    files = {"app/__init__.py": "", "app/main.py": _main(modules)}
    files.update({f"app/m{index}.py": MODULE for index in range(modules)})
    if serve:
        files["app/serve.py"] = SERVE
        files["app/config.py"] = SETTINGS
    if declaration == "requirements":
        files["requirements.txt"] = REQUIREMENTS
    elif declaration == "pyproject":
        files["pyproject.toml"] = PYPROJECT
    if procfile:
        files["Procfile"] = "web: uvicorn app.main:app\n"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "tree", cwd=root)
    return root


class Killed(BaseException):
    """Raised at the chosen write: nothing in the tool catches it, as nothing survives a SIGKILL."""


def run_killed_at(root: Path, kill_at: int | None, monkeypatch: pytest.MonkeyPatch) -> int:
    """Writes done before the kill (all of them when ``kill_at`` is None or beyond)."""
    count = [0]

    def hook(_name: str) -> None:
        if count[0] == kill_at:
            raise Killed
        count[0] += 1

    monkeypatch.setattr(writing, "before_replace", hook)
    try:
        run(RunOptions(paths=[root], jobs=1))
    except Killed:
        pass
    finally:
        monkeypatch.setattr(writing, "before_replace", None)
    return count[0]


def test_the_marks_are_in_the_created_files() -> None:
    assert server_plan.OWN_MARK in render("gunicorn -c gunicorn.conf.py app.main:app")
    assert logging_plan.OWN_MARK in render_logging(False, "LOG_LEVEL")


def test_a_sigkill_at_every_write_converges(tmp_path: Path) -> None:
    source = build(tmp_path / "source", modules=2, serve=True, declaration="requirements", procfile=False)
    writes, rows = kill_rerun.table(source, [])
    assert writes == 7  # two created files, four modules, requirements.txt
    assert [row.kill_at for row in rows] == list(range(writes))
    assert all(row.killed for row in rows)
    assert [row for row in rows if not row.converged or row.temp_left or row.rerun_code != 0] == []


@pytest.mark.parametrize("state", ["config_only", "dependency_only"])
def test_either_half_of_production_server_is_completed(tmp_path: Path, state: str) -> None:
    """A full disk can fail either write: the rerun does the other half."""
    expected = build(tmp_path / "expected", modules=0, serve=False, declaration="requirements", procfile=False)
    run(RunOptions(paths=[expected], jobs=1, only=["production_server"]))
    partial = build(tmp_path / "partial", modules=0, serve=False, declaration="requirements", procfile=False)
    kept = "gunicorn.conf.py" if state == "config_only" else "requirements.txt"
    (partial / kept).write_bytes((expected / kept).read_bytes())
    git("add", "-A", cwd=partial)
    git("commit", "-qm", "half", cwd=partial)
    run(RunOptions(paths=[partial], jobs=1, only=["production_server"]))
    for name in ("gunicorn.conf.py", "requirements.txt"):
        assert (partial / name).read_bytes() == (expected / name).read_bytes()
    assert exit_code(run(RunOptions(paths=[partial], mode=Mode.CHECK, jobs=1, only=["production_server"]))) == 0


def test_a_full_disk_creating_the_config_holds_back_the_dependency_edit(tmp_path: Path, monkeypatch) -> None:
    expected = build(tmp_path / "expected", modules=0, serve=False, declaration="requirements", procfile=False)
    run(RunOptions(paths=[expected], jobs=1, only=["production_server"]))
    root = build(tmp_path / "tree", modules=0, serve=False, declaration="requirements", procfile=False)

    def disk_full(name: str) -> None:
        if name == "gunicorn.conf.py":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing, "before_replace", disk_full)
    outcome = run(RunOptions(paths=[root], jobs=1, only=["production_server"]))
    errors = {result.path: result.error for result in outcome.results if result.error}
    assert errors["gunicorn.conf.py"].startswith("cannot write: [Errno 28]")
    assert errors["requirements.txt"] == "not written: the file production_server creates could not be written"
    assert (root / "requirements.txt").read_text() == REQUIREMENTS and not (root / "gunicorn.conf.py").exists()
    monkeypatch.setattr(writing, "before_replace", None)
    run(RunOptions(paths=[root], jobs=1, only=["production_server"]))
    assert kill_rerun.snapshot(root) == kill_rerun.snapshot(expected)


def test_a_users_own_gunicorn_declaration_still_means_workers_are_configured(tmp_path: Path) -> None:
    root = build(tmp_path / "tree", modules=0, serve=False, declaration="requirements", procfile=False)
    (root / "requirements.txt").write_text("gunicorn>=21\nfastapi==0.115.0\nuvicorn==0.30.1\n")
    outcome = run(RunOptions(paths=[root], jobs=1, only=["production_server"], allow_dirty=True))
    assert not (root / "gunicorn.conf.py").exists()
    assert any("gunicorn is a declared dependency" in line for root_summary in outcome.roots
               for _name, line in root_summary.kept)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    modules=st.integers(min_value=0, max_value=3),
    serve=st.booleans(),
    declaration=st.sampled_from(["requirements", "pyproject", "none"]),
    procfile=st.booleans(),
    kill_at=st.integers(min_value=0, max_value=8),
)
def test_property_a_killed_run_then_a_rerun_equals_one_run(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    modules: int, serve: bool, declaration: str, procfile: bool, kill_at: int,
) -> None:
    base = tmp_path_factory.mktemp("tree")
    monkeypatch.chdir(base)
    expected = build(base / "expected", modules, serve, declaration, procfile)
    writes = run_killed_at(expected, None, monkeypatch)
    killed = build(base / "killed", modules, serve, declaration, procfile)
    run_killed_at(killed, kill_at % max(writes, 1), monkeypatch)
    run_killed_at(killed, None, monkeypatch)
    assert kill_rerun.snapshot(killed) == kill_rerun.snapshot(expected)
    assert exit_code(run(RunOptions(paths=[killed], mode=Mode.CHECK, jobs=1))) == 0


def test_the_benchmark_prints_the_table(tmp_path: Path) -> None:
    source = build(tmp_path / "source", modules=0, serve=False, declaration="none", procfile=True)
    completed = subprocess.run([sys.executable, str(Path(kill_rerun.__file__)), str(source), "--sample", "1"],
                               capture_output=True, text=True, check=True, env=kill_rerun.env())
    assert "| kill at write |" in completed.stdout
