"""Shared helpers: run the tool in-process or as a subprocess on scratch copies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No test may depend on how fast the machine is: hypothesis's deadline and its
# "too slow" health check are timing assertions, off for every property test.
settings.register_profile("any-load", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("any-load")

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"


@pytest.fixture(autouse=True)
def _own_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool's per-user cache (`fastapi_codemods.parsed_commands`) under this
    session's temporary folder, never the user's: subprocesses inherit it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))


def cli_env() -> dict[str, str]:
    """Environment for subprocess runs: the package importable even without install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    return env


def run_cli(*args: str, cwd: Path, check: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m fastapi_codemods ARGS`` as a user would, capturing bytes."""
    completed = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    if check and completed.returncode not in (0, 1):
        raise AssertionError(completed.stderr.decode())
    return completed


def git(*args: str, cwd: Path) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        check=True,
        text=True,
    )
    return completed.stdout


@pytest.fixture
def git_repo(tmp_path: Path):
    """A function that turns a folder into a git repository with everything committed."""

    def make(folder: Path = tmp_path) -> Path:
        git("init", "-q", "-b", "main", cwd=folder)
        git("config", "core.autocrlf", "false", cwd=folder)
        git("add", "-A", cwd=folder)
        git("commit", "-q", "-m", "initial", "--allow-empty", cwd=folder)
        return folder

    return make


@pytest.fixture
def use_transforms(monkeypatch: pytest.MonkeyPatch):
    """A function that makes the given Transform classes the whole registry, in order.

    Worker processes are forked, so they see the replaced registry too.
    """
    from fastapi_codemods import codemods

    def install(*transforms: type) -> None:
        by_name = {transform.NAME: transform for transform in transforms}
        for transform in transforms:
            if not transform.DESCRIPTION:
                monkeypatch.setattr(transform, "DESCRIPTION", (transform.__doc__ or "").strip().splitlines()[0])
        monkeypatch.setattr(codemods, "ORDER", tuple(by_name))
        monkeypatch.setattr(codemods, "load", by_name.__getitem__)

    return install


def pytest_configure(config: pytest.Config) -> None:
    """Tests run the command line without its cache (`engine.cache`), as ruff's own
    tests do: many of them swap the registry's transforms under the same names, which
    the cache cannot see, and compare whole trees. Set for the session (module-scoped
    fixtures run the tool too); ``tests/test_cache.py`` turns it back on."""
    os.environ["FASTAPI_CODEMODS_NO_CACHE"] = "1"


WEB_APP = '''import logging

from fastapi import FastAPI

{imports}

logging.basicConfig(level=logging.DEBUG)
app = FastAPI()
'''


# A web app whose logging shows INFO records and whose route prints: the print is
# one print_to_logging converts (one file, no import needed).
WEB_APP_PRINTING = (
    "import logging\n\nfrom fastapi import FastAPI\n\nlogging.basicConfig(level=logging.INFO)\napp = FastAPI()\n\n\n"
    '@app.get("/")\ndef handler():\n    print("hi")\n'
)


def web_app_importing(root: Path, *modules: str, relpath: str = "webapp.py") -> Path:
    """A web app that imports ``modules`` and shows records of every level: their
    prints run in a program whose logging shows them, so print_to_logging converts
    them (see the README's print_to_logging section)."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    imports = "\n".join(f"import {module}  # noqa: F401" for module in modules)
    path.write_text(WEB_APP.format(imports=imports))
    return path
