"""A cache folder that came with the checked tree can make the tool run nothing: its
entries are plain data read as JSON, and a folder git tracks, or one the tool did
not create, is not read at all."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import git, run_cli

from fastapi_codemods.engine import cache

MAIN = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    print("served")
    return {"ok": True}
'''


class _Payload:
    """Unpickling this creates ``marker``: the proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/main.py").write_text(MAIN)
    return root


def _poison(folder: Path, marker: Path) -> None:
    """Every entry of a real cache folder replaced: pickles (the old layout's form)
    and JSON of the wrong shape, in the current and the old layout."""
    payload = pickle.dumps(_Payload(marker))
    entries = [path for path in folder.rglob("*") if path.is_file() and path.parent != folder]
    assert entries, "the first run wrote entries"
    for index, path in enumerate(entries):
        path.write_bytes(payload if index % 2 == 0 else json.dumps({"layout": "v2", "sources": 3}).encode())
    for relative in ("v1/runs/x", "v1/commands/x", "v1/files/ab/cdef"):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(payload)


def _same_as_without_cache(root: Path, *args: str) -> bytes:
    cached = run_cli("run", "--diff", *args, ".", cwd=root)
    uncached = run_cli("run", "--diff", "--no-cache", *args, ".", cwd=root)
    assert (cached.returncode, cached.stdout) == (uncached.returncode, uncached.stdout)
    return cached.stderr


def test_a_committed_cache_folder_runs_nothing_and_is_ignored(project: Path, tmp_path: Path) -> None:
    run_cli("run", "--check", ".", cwd=project, check=True)
    marker = tmp_path / "pwned"
    _poison(project / cache.CACHE_DIR, marker)
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("add", "-f", cache.CACHE_DIR, cwd=project)
    git("commit", "-q", "-m", "a repository that ships a cache", cwd=project)
    shipped = _contents(project / cache.CACHE_DIR)
    stderr = _same_as_without_cache(project)
    assert not marker.exists()
    warnings = [line for line in stderr.decode().splitlines() if cache.CACHE_DIR in line]
    assert len(warnings) == 1 and "git tracks" in warnings[0]
    assert _contents(project / cache.CACHE_DIR) == shipped  # nothing written into it either


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_crafted_entries_in_an_untracked_folder_are_misses(project: Path, tmp_path: Path) -> None:
    run_cli("run", "--check", ".", cwd=project, check=True)
    marker = tmp_path / "pwned"
    _poison(project / cache.CACHE_DIR, marker)
    stderr = _same_as_without_cache(project)
    assert not marker.exists()
    assert cache.CACHE_DIR not in stderr.decode()
    # The misses were computed again and stored as JSON: the next run is a hit.
    second = run_cli("run", "--check", "--output-format", "json", ".", cwd=project)
    assert json.loads(second.stdout)["roots"][0]["cache"]["whole_run"] is True


def test_a_folder_the_tool_did_not_create_is_neither_read_nor_written(project: Path, tmp_path: Path) -> None:
    folder = project / cache.CACHE_DIR
    (folder / "v2/runs").mkdir(parents=True)
    marker = tmp_path / "pwned"
    (folder / "v2/runs/x").write_bytes(pickle.dumps(_Payload(marker)))
    stderr = _same_as_without_cache(project)
    assert not marker.exists()
    assert "not created by fastapi-codemods" in stderr.decode()
    assert sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")) == ["v2", "v2/runs", "v2/runs/x"]


def test_entries_of_every_wrong_shape_are_misses() -> None:
    good = cache.encode_result(cache.FileResult(path="a.py", root=".", status=cache.Status.CHANGED, old=b"x", new=b"y"))
    assert cache.decode_result(good).new == b"y"
    wrong = [None, [], "x", {}, {**good, "status": "exploded"}, {**good, "old": "***"}, {**good, "findings": [[1]]},
             {**good, "mode": "0644"}, {**good, "created": 1}, {key: value for key, value in good.items() if key != "path"}]
    for entry in wrong:
        with pytest.raises(cache.Invalid):
            cache.decode_result(entry)
    for record in [None, {"layout": "v1"}, {"layout": "v2"}, {"layout": "v2", "sources": [["a", "b", [1], "d"]]}]:
        with pytest.raises(cache.Invalid):
            cache.RunRecord.from_json(record)
