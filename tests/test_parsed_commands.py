"""`fastapi_codemods.parsed_commands`: a ``run`` line parsed before runs again
without click, exactly as click would have run it, and anything else goes to click."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

from fastapi_codemods import parsed_commands
from fastapi_codemods.engine import cache

APP = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    print("serving the index")
    return {"ok": True}
'''

# Runs the console script's entry point and writes whether click was imported
# to the file named by $CLICK_MARKER.
ENTRY = (
    "import atexit, os, sys\n"
    "def mark():\n"
    "    with open(os.environ['CLICK_MARKER'], 'w') as stream:\n"
    "        stream.write('click' if 'click' in sys.modules else 'no click')\n"
    "atexit.register(mark)\n"
    "from fastapi_codemods.main import main\n"
    "main()\n"
)


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The cache on, and a user cache folder of this test's own."""
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(APP)
    return root


def entry(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes, str]:
    """(exit code, stdout, stderr, "click" or "no click") of the console script."""
    marker = cwd.parent / "click-marker"
    completed = subprocess.run(
        [sys.executable, "-c", ENTRY, *args], cwd=cwd, env={**(env or cli_env()), "CLICK_MARKER": str(marker)},
        capture_output=True, stdin=subprocess.DEVNULL,
    )
    return completed.returncode, completed.stdout, completed.stderr, marker.read_text()


def entries() -> list[Path]:
    return sorted(Path(parsed_commands.folder()).glob("*.json"))


@pytest.mark.parametrize("args", [
    ("run", "--check", "--no-progress", "."),
    ("run", "--diff", "--no-progress", "--only", "print_to_logging", "."),
    ("run", "--check", "--output-format", "json", "."),
    ("run", "--check", "--no-progress", "--exclude", "app/other.py", "-j", "1"),
])
def test_a_line_parsed_before_runs_without_click_and_prints_the_same(project: Path, args: tuple[str, ...]) -> None:
    first = entry(*args, cwd=project)
    assert first[3] == "click"
    second = entry(*args, cwd=project)
    assert second[3] == "no click"
    assert without_cache_counts(second[:3]) == without_cache_counts(first[:3])


def without_cache_counts(outcome: tuple[int, bytes, bytes]) -> tuple[int, object, bytes]:
    """A JSON report's cache counts say which run was answered from the cache; the
    rest must be equal."""
    code, out, err = outcome
    if not out.startswith(b"{"):
        return code, out, err
    document = json.loads(out)
    for root in document["roots"]:
        root.pop("cache", None)
    return code, document, err


def test_the_same_words_elsewhere_or_others_are_parsed_by_click(project: Path, tmp_path: Path) -> None:
    entry("run", "--check", ".", cwd=project)
    other = tmp_path / "other"
    other.mkdir()
    (other / "tool.py").write_text("print('hi')\n")
    assert entry("run", "--check", ".", cwd=other)[3] == "click"
    assert entry("run", "--check", "--no-progress", ".", cwd=project)[3] == "click"


@pytest.mark.parametrize("args", [
    ("run", "--check", "--no-cache", "."),
    ("run", "--check", "--diff", "."),  # a usage error
    ("run", "--help"),
    ("list",),
])
def test_lines_that_are_not_remembered(project: Path, args: tuple[str, ...]) -> None:
    first = entry(*args, cwd=project)
    second = entry(*args, cwd=project)
    assert second == first
    assert second[3] == "click"


def test_the_no_cache_environment_turns_it_off(project: Path) -> None:
    env = {**cli_env(), cache.NO_CACHE_ENV: "1"}
    entry("run", "--check", ".", cwd=project)
    assert entry("run", "--check", ".", cwd=project, env=env)[3] == "click"


@pytest.mark.parametrize("damage", ["not json", "[]", "wrong shape", "other line", "bad mode", "jobs zero"])
def test_a_damaged_entry_is_a_miss_and_click_parses_the_line(project: Path, damage: str) -> None:
    args = ("run", "--check", "--no-progress", ".")
    first = entry(*args, cwd=project)
    (path,) = entries()
    data = json.loads(path.read_text())
    if damage == "not json":
        path.write_text("{")
    elif damage == "[]":
        path.write_text("[]")
    elif damage == "wrong shape":
        path.write_text(json.dumps({**data, "excludes": "app"}))
    elif damage == "other line":
        path.write_text(json.dumps({**data, "argv": ["run", "--diff", "."]}))
    elif damage == "bad mode":
        path.write_text(json.dumps({**data, "mode": "review"}))
    else:
        path.write_text(json.dumps({**data, "jobs": 0}))
    again = entry(*args, cwd=project)
    assert again[3] == "click"
    assert again[:3] == first[:3]


def test_entries_are_pruned(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_commands, "MAX_ENTRIES", 3)
    monkeypatch.chdir(project)
    from fastapi_codemods.commands import Output
    from fastapi_codemods.engine.options import Mode, RunOptions

    for jobs in range(1, 6):
        argv = ["run", "--check", "-j", str(jobs)]
        parsed_commands.remember(argv, RunOptions(paths=[Path(".")], mode=Mode.CHECK, jobs=jobs, cache=True), Output())
    assert len(entries()) == 3
    assert parsed_commands.recall(["run", "--check", "-j", "5"]) is not None
