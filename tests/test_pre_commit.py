"""The repository's pre-commit hook, through ``pre-commit try-repo`` on a scratch
repository: it fails while a transform would still rewrite a file, and passes once
``run`` has written the change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP = '''from fastapi import FastAPI

app = FastAPI(openapi_url=None)


@app.get("/items")
async def list_items() -> list[str]:
    print("listing items")
    return []
'''

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def _try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "fastapi-codemods", "--all-files"],
        cwd=project, capture_output=True, text=True, env=environment, check=False,
    )


def test_the_hook_fails_on_a_print_then_passes_after_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text(APP)
    _git(project, "init", "-q")
    _git(project, "add", "main.py")
    _git(project, "commit", "-q", "-m", "app")
    home = tmp_path / "pre-commit-home"

    failing = _try_repo(project, home)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "fastapi-codemods" in failing.stdout and "Failed" in failing.stdout
    assert "main.py" in failing.stdout

    subprocess.run([sys.executable, "-m", "fastapi_codemods", "run", "--no-progress", "."], cwd=project,
                   check=True, capture_output=True)
    assert "logger.info" in (project / "main.py").read_text()
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "logging")

    passing = _try_repo(project, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
