"""The cache never answers stale: after each change below, a cached run gives, byte
for byte, what a run with ``--no-cache`` gives (its diff, its JSON report and its
console output)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import cli_env, git, run_cli

from fastapi_codemods.engine import cache, driver
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.report import json_report, unified_diff

# The route runs the worker, and the app's logging shows INFO records: a print in
# the worker is one print_to_logging converts.
MAIN = '''import logging

from fastapi import FastAPI

from app.worker import work

logging.basicConfig(level=logging.INFO)
app = FastAPI(title="Shop")


@app.get("/items")
def items():
    return [work(1)]
'''
WORKER = '''def work(item):
    return item
'''


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)


def outcome_of(root: Path, use_cache: bool, **options: Any) -> tuple[bytes, dict[str, Any]]:
    """(diff, JSON report without the cache statistics) of one dry run."""
    outcome = run(RunOptions(paths=[root], mode=Mode.DIFF, jobs=1, cache=use_cache, **options))
    report = json_report(outcome)
    for entry in report["roots"]:
        entry.pop("cache")
    return unified_diff(outcome), report


def assert_fresh(root: Path, **options: Any) -> tuple[bytes, dict[str, Any]]:
    """A cached run (which may answer from the record) equals an uncached one."""
    cached = outcome_of(root, True, **options)
    assert cached == outcome_of(root, False, **options)
    return cached


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose backend lives in ``backend/``; runs are on ``backend``."""
    top = tmp_path / "repo"
    write(top / "backend/app/__init__.py", "")
    write(top / "backend/app/main.py", MAIN)
    write(top / "backend/app/worker.py", WORKER)
    git("init", "-q", "-b", "main", cwd=top)
    monkeypatch.chdir(top)
    return top


def test_an_edit_during_the_run_then_reverted_is_not_stored(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis and the workers read the edited file; the record must not keep
    what they computed under the bytes hashed at the start."""
    worker = repo / "backend/app/worker.py"
    original = worker.read_bytes()
    real_analyse, real_process_all = driver.analyse_root, driver._process_all

    def analyse_after_an_edit(*args: Any, **kwargs: Any) -> Any:
        worker.write_text('def work(item):\n    print("debugging")\n    return item\n')
        return real_analyse(*args, **kwargs)

    def process_then_revert(*args: Any, **kwargs: Any) -> Any:
        results = real_process_all(*args, **kwargs)
        worker.write_bytes(original)
        return results

    monkeypatch.setattr(driver, "analyse_root", analyse_after_an_edit)
    monkeypatch.setattr(driver, "_process_all", process_then_revert)
    during, _ = outcome_of(repo / "backend", True)
    assert b"debugging" in during  # the run saw the edit
    monkeypatch.undo()
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    assert worker.read_bytes() == original
    diff, _ = assert_fresh(repo / "backend")
    assert b"debugging" not in diff


def test_a_closed_pipe_changes_nothing_the_next_run_says(repo: Path) -> None:
    first = subprocess.run(
        f"{sys.executable} -m fastapi_codemods run --check . 2>&1 | true", shell=True,
        cwd=repo / "backend", env=cli_env(), capture_output=True, check=False,
    )
    assert first.returncode == 0
    cached = run_cli("run", "--check", ".", cwd=repo / "backend")
    uncached = run_cli("run", "--check", "--no-cache", ".", cwd=repo / "backend")
    assert (cached.returncode, cached.stdout, cached.stderr) == (uncached.returncode, uncached.stdout, uncached.stderr)
    assert cached.returncode == 1 and b"would change" in cached.stdout


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda top: write(top / "gunicorn.conf.py", "workers = 4\n"), id="gunicorn-conf-at-git-root"),
        pytest.param(lambda top: write(top / "setup.py", "from setuptools import setup\n"
                                       "setup(install_requires=['fastapi', 'gunicorn'])\n"), id="parent-setup-py"),
        pytest.param(lambda top: write(top / "backend/requirements/base.txt", "fastapi\ngunicorn\n"),
                     id="requirements-base-txt"),
        pytest.param(lambda top: write(top / "backend/deploy/gunicorn.conf.py", "workers = 4\n"),
                     id="gunicorn-conf-in-excluded-folder"),
        pytest.param(lambda top: write(top / "backend/Dockerfile", 'CMD ["uvicorn", "--workers", "4", "app.main:app"]\n'),
                     id="dockerfile"),
    ],
)
def test_a_file_beside_the_sources_that_an_analysis_reads(repo: Path, change: Callable[[Path], None]) -> None:
    write(repo / "setup.py", "from setuptools import setup\nsetup(install_requires=['fastapi'])\n")
    before, _ = assert_fresh(repo / "backend", excludes=["deploy"])
    assert outcome_of(repo / "backend", True, excludes=["deploy"])[0] == before  # answered from the record
    assert b"gunicorn.conf.py" in before
    change(repo)
    after, _ = assert_fresh(repo / "backend", excludes=["deploy"])
    assert b"gunicorn.conf.py" not in after


def test_an_edited_packaging_file_is_read_again(repo: Path) -> None:
    requirements = repo / "backend/requirements.txt"
    write(requirements, "fastapi\n")
    before, _ = assert_fresh(repo / "backend")
    write(requirements, "fastapi\ngunicorn\n")
    after, _ = assert_fresh(repo / "backend")
    assert after != before


def _edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    path.write_text(path.read_text().replace("item", "ITEM"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _edit_twice_within_a_second(path: Path) -> None:
    path.write_text('def work(item):\n    print("thing", item)\n    return item\n')
    path.write_text('def work(item):\n    print("THING", item)\n    return item\n')


def _replace_through_a_rename(path: Path) -> None:
    before = path.stat()
    twin = path.with_name("twin.tmp")
    twin.write_text(path.read_text().replace("item", "ITEM"))
    os.utime(twin, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(twin, path)


def _replace_through_a_hard_link(path: Path) -> None:
    other = path.parent.parent / "other_worker.txt"
    other.write_text(path.read_text().replace("item", "ITEM"))
    link = path.with_name("link.tmp")
    os.link(other, link)
    os.replace(link, path)


@pytest.mark.parametrize(
    "edit",
    [_edit_keeping_size_and_mtime, _edit_twice_within_a_second, _replace_through_a_rename, _replace_through_a_hard_link],
)
def test_a_source_replaced_behind_the_stamps_back(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                   edit: Callable[[Path], None]) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust every stamp: only the stamp can tell
    worker = repo / "backend/app/worker.py"
    worker.write_text('def work(item):\n    print("working on", item)\n    return item\n')
    assert_fresh(repo / "backend")
    edit(worker)
    after, _ = assert_fresh(repo / "backend")
    assert b"ITEM" in after or b"THING" in after or b"thing" in after


def test_the_settings_module_another_file_depends_on(repo: Path) -> None:
    settings = repo / "backend/app/settings.py"
    write(settings, "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
                    "    debug: bool = False\n\n\nsettings = Settings()\n")
    write(repo / "backend/app/main.py", MAIN.replace("from app.worker import work\n",
                                                    "from app.settings import settings\nfrom app.worker import work\n"))
    before, _ = assert_fresh(repo / "backend")
    write(settings, settings.read_text().replace("debug: bool = False", "title: str = 'x'"))
    after, _ = assert_fresh(repo / "backend")
    assert before != after


@pytest.mark.parametrize("place", ["gitignore", "config"])
def test_adding_and_removing_an_ignore_file_or_a_config_table(repo: Path, place: str) -> None:
    worker = repo / "backend/app/worker.py"
    worker.write_text('def work(item):\n    print("working on", item)\n')
    target = repo / "backend" / (".gitignore" if place == "gitignore" else "pyproject.toml")
    text = "app/worker.py\n" if place == "gitignore" else '[tool.fastapi-codemods]\nexclude = ["app/worker.py"]\n'
    with_worker, _ = assert_fresh(repo / "backend")
    write(target, text)
    without_worker, _ = assert_fresh(repo / "backend")
    assert b"worker.py" in with_worker and b"worker.py" not in without_worker
    target.unlink()
    assert assert_fresh(repo / "backend")[0] == with_worker


def test_two_trees_sharing_nothing_at_the_same_place(repo: Path, tmp_path: Path) -> None:
    backend = repo / "backend"
    assert_fresh(backend)
    shutil.rmtree(backend / "app")
    write(backend / "service/__init__.py", "")
    write(backend / "service/api.py", 'from fastapi import FastAPI\n\napi = FastAPI()\nprint("started")\n')
    after, _ = assert_fresh(backend)
    assert b"service/api.py" in after


def test_a_library_the_tool_runs_on_changing_is_another_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module installed or changed in site-packages (here a stand-in library on
    ``sys.path``) makes every record another tool's."""
    library = tmp_path / "site" / "standin"
    write(library / "__init__.py", "VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(cache, "_LIBRARIES", ("standin",))
    cache.tool_fingerprint.cache_clear()
    before = cache.tool_fingerprint()
    write(library / "__init__.py", "VERSION = 22\n")
    cache.tool_fingerprint.cache_clear()
    after = cache.tool_fingerprint()
    cache.tool_fingerprint.cache_clear()
    assert before != after


def test_a_file_name_that_is_not_utf8_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    write(root / "app/main.py", MAIN)
    name = os.fsdecode(b"caf\xe9.py")
    write(root / "app" / name, 'print("hello")\n')
    monkeypatch.chdir(tmp_path)
    first = assert_fresh(root)
    assert any(entry["path"].endswith(name) for entry in first[1]["files"])
    assert outcome_of(root, True) == first
