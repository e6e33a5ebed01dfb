"""conditional_docs on the example app, end to end: after the rewrite, production
settings serve no docs and no schema, a development environment serves all three.

The rewritten app is imported in a fresh interpreter per environment, because its
settings are read once, at import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

DOCS_URLS = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
PROBE = f"""
import json
from fastapi.testclient import TestClient
from app.main import app

client = TestClient(app)
print(json.dumps({{url: client.get(url).status_code for url in {DOCS_URLS!r}}}))
"""


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("conditional_docs") / "examples"
    shutil.copytree(REPO / "examples", copy, ignore=shutil.ignore_patterns("__pycache__", ".*cache", "*.db"))
    first = run_cli("run", "--only", "conditional_docs", "--no-progress", ".", cwd=copy)
    assert first.returncode == 0, first.stderr.decode()
    assert "conditional_docs" in first.stderr.decode()
    return copy


def _status_codes(app_folder: Path, tmp_path: Path, **settings: str) -> dict[str, int]:
    env = {key: value for key, value in os.environ.items() if key not in ("ENVIRONMENT", "DEBUG")}
    env.update(settings)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}"
    env["PYTHONPATH"] = str(app_folder)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_app_module_gets_all_three_keywords(rewritten: Path) -> None:
    main = (rewritten / "app" / "main.py").read_text(encoding="utf-8")
    for key, url in (("openapi_url", "/openapi.json"), ("docs_url", "/docs"), ("redoc_url", "/redoc")):
        assert f'{key}="{url}" if settings.DEBUG else None,' in main
    assert "# docs_url=" not in main, "the commented-out arguments the keywords replace are gone"


def test_production_serves_no_docs(rewritten: Path, tmp_path: Path) -> None:
    codes = _status_codes(rewritten, tmp_path, ENVIRONMENT="production", DEBUG="false")
    assert codes == {url: 404 for url in DOCS_URLS}


def test_the_debug_setting_turns_them_on_in_any_environment(rewritten: Path, tmp_path: Path) -> None:
    codes = _status_codes(rewritten, tmp_path, ENVIRONMENT="staging", DEBUG="true")
    assert codes == {url: 200 for url in DOCS_URLS}


def test_development_serves_the_docs(rewritten: Path, tmp_path: Path) -> None:
    codes = _status_codes(rewritten, tmp_path, ENVIRONMENT="development", DEBUG="true")
    assert codes == {url: 200 for url in DOCS_URLS}


def test_a_second_run_changes_nothing(rewritten: Path) -> None:
    again = run_cli("run", "--check", "--only", "conditional_docs", "--no-progress", ".", cwd=rewritten)
    assert again.returncode == 0, again.stdout.decode() + again.stderr.decode()
