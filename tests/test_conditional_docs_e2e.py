"""conditional_docs at run time: the rewritten fixtures under FastAPI's TestClient,
in production and development settings, and the example app, whose tests use its
docs, left alone.

Each app is imported in a fresh interpreter per environment, because its settings
are read once, at import.
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

FIXTURES = REPO / "tests" / "fixtures" / "conditional_docs"
DOCS_URLS = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
SETTINGS = ("ENVIRONMENT", "DEBUG", "APP_ENVIRONMENT", "FASTAPI_ENV", "ENABLE_API_DOCS")
PROBE = f"""
import json
from fastapi.testclient import TestClient
from app.main import app

client = TestClient(app)
print(json.dumps({{url: client.get(url).status_code for url in {DOCS_URLS!r}}}))
"""
SERVED = dict.fromkeys(DOCS_URLS, 200)
HIDDEN = dict.fromkeys(DOCS_URLS, 404)


def _status_codes(app_folder: Path, tmp_path: Path, **settings: str) -> dict[str, int]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    env.update(settings)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}"
    env["PYTHONPATH"] = str(app_folder)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _project(case: str, tmp_path: Path, rewritten: bool) -> Path:
    """The fixture's input, with its expected output over it when ``rewritten``."""
    root = tmp_path / f"{case}-{'after' if rewritten else 'before'}"
    shutil.copytree(FIXTURES / case / "input", root)
    if rewritten and (FIXTURES / case / "output").is_dir():
        shutil.copytree(FIXTURES / case / "output", root, dirs_exist_ok=True)
    return root


@pytest.mark.parametrize(
    ("case", "production", "development"),
    [
        ("debug_preferred_over_environment", {"DEBUG": "false", "ENVIRONMENT": "local"}, {"DEBUG": "true"}),
        # DEBUG is the project's switch, in any environment
        ("debug_preferred_over_environment", {"ENVIRONMENT": "production"}, {"ENVIRONMENT": "staging", "DEBUG": "1"}),
        ("environment_any_case", {"APP_ENVIRONMENT": "Production"}, {"APP_ENVIRONMENT": "Development"}),
        ("environment_any_case", {}, {"APP_ENVIRONMENT": "LOCAL"}),  # unset: hidden, and no AttributeError
        ("starlette_config", {}, {"DEBUG": "true"}),
        ("fastapi_env_variable", {"FASTAPI_ENV": "prod"}, {"FASTAPI_ENV": "DEV"}),
    ],
)
def test_rewritten_apps_hide_the_docs_in_production_only(
    case: str, production: dict[str, str], development: dict[str, str], tmp_path: Path
) -> None:
    before = _project(case, tmp_path, rewritten=False)
    after = _project(case, tmp_path, rewritten=True)
    assert (after / "app" / "main.py").read_bytes() != (before / "app" / "main.py").read_bytes()
    assert _status_codes(before, tmp_path, **production) == SERVED
    assert _status_codes(after, tmp_path, **production) == HIDDEN
    assert _status_codes(after, tmp_path, **development) == SERVED


def test_an_empty_openapi_url_serves_nothing_before_and_after(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    shutil.copy(FIXTURES / "openapi_empty_string.input.py", root / "app" / "main.py")
    before = (root / "app" / "main.py").read_bytes()
    assert _status_codes(root, tmp_path) == HIDDEN
    run = run_cli("run", "--only", "conditional_docs", "--no-progress", ".", cwd=root)
    assert run.returncode == 0, run.stderr.decode()
    assert (root / "app" / "main.py").read_bytes() == before
    assert "ENABLE_API_DOCS" not in run.stderr.decode()
    assert _status_codes(root, tmp_path, ENABLE_API_DOCS="1") == HIDDEN


def test_the_example_app_whose_tests_use_its_docs_is_left_alone(tmp_path: Path) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(REPO / "examples", copy, ignore=shutil.ignore_patterns("__pycache__", ".*cache", "*.db"))
    before = (copy / "app" / "main.py").read_bytes()
    run = run_cli("run", "--only", "conditional_docs", "--no-progress", ".", cwd=copy)
    assert run.returncode == 0, run.stderr.decode()
    assert (copy / "app" / "main.py").read_bytes() == before
    assert "tests/test_app.py:12 requests /docs from this app" in run.stderr.decode()
    assert _status_codes(copy, tmp_path, ENVIRONMENT="production", DEBUG="false") == SERVED
