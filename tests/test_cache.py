"""The run cache (`fastapi_codemods.engine.cache`): a hit gives exactly what a miss
computes, and a change recomputes what depends on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SRC, run_cli

from fastapi_codemods.engine import cache
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.report import json_report, unified_diff

SETTINGS_WITH_DEBUG = '''from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    debug: bool = False


settings = Settings()
'''
SETTINGS_WITHOUT_FLAG = '''from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    title: str = "Shop"


settings = Settings()
'''
MAIN = '''from fastapi import FastAPI

from app import alpha, beta, gamma  # their prints run in the web app
from app.settings import settings

app = FastAPI(title="Shop")
'''
WORKER = '''def work(item):
    print("working on", item)
'''


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main.py's conditional_docs rewrite reads the settings module; the workers'
    print_to_logging rewrites depend on nothing else of the project."""
    root = tmp_path / "shop"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/settings.py").write_text(SETTINGS_WITH_DEBUG)
    (root / "app/main.py").write_text(MAIN)
    for name in ("alpha", "beta", "gamma"):
        (root / f"app/{name}.py").write_text(WORKER.replace("item", f"{name}_item"))
    monkeypatch.chdir(tmp_path)
    return root


def check(root: Path, use_cache: bool = True, mode: Mode = Mode.DIFF) -> tuple[dict[str, Any], bytes, Any]:
    """(JSON report without the cache statistics, diff, cache statistics) of one run."""
    outcome = run(RunOptions(paths=[root], mode=mode, jobs=1, cache=use_cache))
    report = json_report(outcome)
    stats = [entry.pop("cache") for entry in report["roots"]]
    return report, unified_diff(outcome), stats[0]


def test_second_run_is_a_whole_run_hit_identical_to_a_miss(shop: Path) -> None:
    first, first_diff, first_stats = check(shop)
    second, second_diff, second_stats = check(shop)
    uncached, uncached_diff, no_stats = check(shop, use_cache=False)
    assert first_stats == {"hits": 0, "misses": 4, "whole_run": False}
    assert second_stats == {"hits": 4, "misses": 0, "whole_run": True}
    assert no_stats is None
    assert first == second == uncached
    assert first_diff == second_diff == uncached_diff
    assert b'docs_url="/docs" if settings.debug else None' in first_diff


def test_a_settings_change_recomputes_the_file_that_reads_it(shop: Path) -> None:
    before, before_diff, _ = check(shop)
    (shop / "app/settings.py").write_text(SETTINGS_WITHOUT_FLAG)
    after, after_diff, stats = check(shop)
    assert after_diff != before_diff
    assert b"settings.debug" not in after_diff and b"ENABLE_API_DOCS" in after_diff
    assert stats["whole_run"] is False and stats["misses"] >= 1
    uncached, uncached_diff, _ = check(shop, use_cache=False)
    assert (after, after_diff) == (uncached, uncached_diff)


def test_a_change_nothing_depends_on_recomputes_only_that_file(shop: Path) -> None:
    check(shop)
    (shop / "app/beta.py").write_text(WORKER.replace("item", "other_item"))
    after, after_diff, stats = check(shop)
    assert stats == {"hits": 3, "misses": 1, "whole_run": False}
    assert b"other_item" in after_diff
    assert (after, after_diff) == check(shop, use_cache=False)[:2]


@pytest.mark.parametrize("tree", ["examples", "tests/projects/own_apps_suite"])
def test_hits_equal_misses_on_real_trees(tree: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    shutil.copytree(REPO / tree, root)
    monkeypatch.chdir(tmp_path)
    miss = check(root)
    hit = check(root)
    assert hit[2]["whole_run"] is True
    assert miss[:2] == hit[:2] == check(root, use_cache=False)[:2]


def test_write_mode_from_the_cache_writes_the_same_files(shop: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(shop, twin)
    check(shop, use_cache=False)
    check(twin)
    for root, use_cache in ((shop, False), (twin, True)):
        run(RunOptions(paths=[root], mode=Mode.WRITE, jobs=1, allow_dirty=True, cache=use_cache))
    for path in sorted(shop.rglob("*.py")):
        assert (twin / path.relative_to(shop)).read_bytes() == path.read_bytes()


def test_corrupt_entries_are_misses(shop: Path) -> None:
    expected = check(shop)[:2]
    for entry in (shop / cache.CACHE_DIR).rglob("*"):
        if entry.is_file() and entry.parent != shop / cache.CACHE_DIR:
            entry.write_bytes(b"not JSON")
    report, diff, stats = check(shop)
    assert (report, diff) == expected
    assert stats == {"hits": 0, "misses": 4, "whole_run": False}


def test_folder_layout_and_no_cache(shop: Path) -> None:
    check(shop, use_cache=False)
    assert not (shop / cache.CACHE_DIR).exists()
    check(shop)
    folder = shop / cache.CACHE_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(list((folder / cache.LAYOUT / "runs").iterdir())) == 1
    assert len([p for p in (folder / cache.LAYOUT / "files").rglob("*") if p.is_file()]) == 4


def test_command_line_no_cache_flag_and_environment(shop: Path) -> None:
    run_cli("run", "--check", "--no-cache", str(shop), cwd=shop.parent, check=True)
    assert not (shop / cache.CACHE_DIR).exists()
    env = {**os.environ, "PYTHONPATH": str(SRC), cache.NO_CACHE_ENV: "1"}
    subprocess.run([sys.executable, "-m", "fastapi_codemods", "run", "--check", str(shop)],
                   cwd=shop.parent, env=env, capture_output=True, check=False)
    assert not (shop / cache.CACHE_DIR).exists()
    report = shop.parent / "report.json"
    for expected in (False, True):
        run_cli("run", "--check", "--report", str(report), str(shop), cwd=shop.parent, check=True)
        assert json.loads(report.read_text())["roots"][0]["cache"]["whole_run"] is expected


def test_a_file_the_run_cannot_read_is_not_cached(shop: Path) -> None:
    failed = cache.storable
    assert not failed(_failed("cannot read: Permission denied"))
    assert not failed(_failed("internal error: ValueError: x; file left untouched"))
    assert failed(_failed("syntax error at line 1: invalid syntax"))


def _failed(error: str):
    from fastapi_codemods.engine.results import FileResult, Status

    return FileResult(path="a.py", root=".", status=Status.FAILED, error=error)


def test_canonical_encoding_does_not_follow_string_hashes() -> None:
    code = (
        "from fastapi_codemods.engine.cache import canonical; import sys; "
        "sys.stdout.write(canonical({'k': frozenset(f'name{i}' for i in range(50))}).hex())"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(SRC), "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    with pytest.raises(cache.NotCanonical):
        cache.canonical(object())


def test_files_not_written_since_the_last_run_are_not_read_again(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written just before the first run
    check(shop)
    reads: list[Path] = []
    real_digest = cache.file_digest
    monkeypatch.setattr(cache, "file_digest", lambda path: reads.append(path) or real_digest(path))
    assert check(shop)[2]["whole_run"] is True
    assert reads == []


def test_a_rewrite_that_keeps_size_and_mtime_is_still_seen(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    check(shop)
    beta = shop / "app/beta.py"
    before = beta.stat()
    beta.write_text(beta.read_text().replace("beta_item", "zeta_item"))
    os.utime(beta, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime moves on regardless
    assert beta.stat().st_size == before.st_size
    report, diff, stats = check(shop)
    assert stats == {"hits": 3, "misses": 1, "whole_run": False}
    assert b"zeta_item" in diff


def test_a_hit_that_had_to_read_files_refreshes_their_stamps(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check(shop)
    first = _run_record(shop)
    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # no stamp trusted: every file is read
    assert check(shop)[2]["whole_run"] is True
    second = _run_record(shop)
    assert second.results == first.results and second.stamped_at > first.stamped_at


def _run_record(root: Path) -> cache.RunRecord:
    (slot,) = (root / cache.CACHE_DIR / cache.LAYOUT / "runs").iterdir()
    record = cache.RootCache(root).last_run(slot.name)
    assert record is not None
    return record


def test_the_cache_folder_is_never_walked(shop: Path) -> None:
    check(shop)
    (shop / cache.CACHE_DIR / "stray.py").write_text("print('not yours')\n")
    report, _, _ = check(shop, use_cache=False)
    assert all(cache.CACHE_DIR not in entry["path"] for entry in report["files"])


def test_a_deployment_file_beside_the_sources_misses_the_run_record(shop: Path) -> None:
    """production_server reads the Dockerfile, which is no source: the run record
    must not answer once one appears."""
    _, first_diff, _ = check(shop)
    assert check(shop)[2]["whole_run"] is True
    assert b"gunicorn.conf.py" in first_diff
    (shop / "Dockerfile").write_text('CMD ["gunicorn", "-w", "4", "-k", "uvicorn.workers.UvicornWorker", "app.main:app"]\n')
    after, after_diff, stats = check(shop)
    assert stats["whole_run"] is False
    assert b"gunicorn.conf.py" not in after_diff
    assert (after, after_diff) == check(shop, use_cache=False)[:2]


def test_pruning_keeps_the_newest_run_records_and_the_entries_they_use(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["print_to_logging", "conditional_docs", "setup_logging", "production_server", "lifespan"]
    setups = [names[:count] for count in range(1, len(names) + 1)] + [names[count:] for count in range(1, len(names))]
    for only in setups:
        run(RunOptions(paths=[shop], mode=Mode.CHECK, jobs=1, cache=True, only=only))
    runs = list((shop / cache.CACHE_DIR / cache.LAYOUT / "runs").iterdir())
    assert len(setups) > cache.MAX_RUN_RECORDS == len(runs)
    monkeypatch.setattr(cache, "MAX_FILE_BYTES", 0)
    run(RunOptions(paths=[shop], mode=Mode.CHECK, jobs=1, cache=True, only=["async_sleep"]))
    kept = {entry.parent.name + entry.name for entry in (shop / cache.CACHE_DIR / cache.LAYOUT / "files").rglob("*")
            if entry.is_file()}
    used = set()
    for record in (shop / cache.CACHE_DIR / cache.LAYOUT / "runs").iterdir():
        used.update(json.loads(record.read_text())["file_keys"])
    assert used and kept == used
    report, diff, stats = check(shop)
    assert (report, diff) == check(shop, use_cache=False)[:2]
