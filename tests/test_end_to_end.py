"""End to end: every transform over the example app, and the app still works.

Copies ``examples/`` into a scratch git repository, runs the tool as a user would,
then checks what a reviewer would: the changed files compile, the app's own tests
still pass, the served app writes JSON logs carrying the request id, docs are gone
in production, ``--diff`` applied with ``git apply`` gives exactly what ``run``
wrote, and a second run changes nothing.

Tests that depend on a transform skip while it is not registered, so they start
running as soon as it lands.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, cli_env, git

from fastapi_codemods.codemods import ORDER

EXAMPLES = REPO / "examples"
COPY_IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.db", ".env")
# Generous: the machine may be busy; a hung child must still end the test.
TOOL_TIMEOUT = 300
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0

REPORT = {
    "title": "Pothole near the market",
    "description": "Two deep potholes in front of the vegetable market gate.",
    "category": "pothole",
    "latitude": 12.9716,
    "longitude": 77.5946,
}
# The create-report print, rendered from a log call (`{x!r}` and `{y:.2f}` become args).
REPORT_MESSAGE = "New report 'Pothole near the market' at (12.97, 77.59)"
# The stats print holds a literal "%": escaped as "%%" once the message takes arguments.
STATS_MESSAGE = "Stats: 0/1 reports resolved (0.0%)"


def requires(*names: str) -> pytest.MarkDecorator:
    """Skip until every transform in ``names`` is registered."""
    missing = [name for name in names if name not in ORDER]
    return pytest.mark.skipif(bool(missing), reason=f"transform not registered yet: {', '.join(missing)}")


# A print rewritten into a logger call is invisible until logging is set up: the app's
# logs, and its tests after the run, are only meaningful once both parts are registered.
LOGGING_MIGRATION = ("print_to_logging", "setup_logging")


def child_env(app_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for the copied app's own processes: importable, no stray bytecode."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(app_dir), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", **extra)
    return env


def run_tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``python -m fastapi_codemods ARGS`` with a timeout."""
    return subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=TOOL_TIMEOUT,
    )


def committed_copy(destination: Path) -> Path:
    """``examples/`` copied to ``destination`` as a git repository, all committed."""
    shutil.copytree(EXAMPLES, destination, ignore=COPY_IGNORE)
    git("init", "-q", "-b", "main", cwd=destination)
    git("config", "core.autocrlf", "false", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "example app", cwd=destination)
    return destination


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (outside .git and caches), path -> content."""
    skipped = {".git", "__pycache__", ".pytest_cache"}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not skipped.intersection(path.relative_to(root).parts)
    }


@dataclass(frozen=True)
class Transformed:
    root: Path
    run: subprocess.CompletedProcess[bytes]
    changed: tuple[str, ...]


@pytest.fixture(scope="module")
def transformed(tmp_path_factory: pytest.TempPathFactory) -> Transformed:
    """One copy of the example app after ``fastapi-codemods run`` with every transform."""
    root = committed_copy(tmp_path_factory.mktemp("e2e") / "civiclens")
    completed = run_tool("run", "--no-progress", str(root), cwd=root)
    changed = git("ls-files", "--modified", "--others", "--exclude-standard", cwd=root).split()
    return Transformed(root, completed, tuple(sorted(set(changed))))


def run_example_tests(app_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=app_dir,
        env=child_env(app_dir),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TOOL_TIMEOUT,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def describe(self) -> str:
        errors = self.stderr.read_text(encoding="utf-8", errors="replace")
        return f"--- stdout ---\n{self.output()}\n--- stderr ---\n{errors}"


@contextmanager
def serve(app_dir: Path, logs: Path, **settings: str) -> Iterator[Server]:
    """Run the app under uvicorn on a free port until the block ends.

    Yields once ``GET /health`` answers 200; stops the server (SIGTERM, then kill)
    whatever happens, so that its output is complete when the block exits.
    """
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", logs / "stdout.txt", logs / "stderr.txt")
    env = child_env(app_dir, DATABASE_URL=f"sqlite+aiosqlite:///{logs / 'server.db'}", **settings)
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    with server.stdout.open("wb") as out, server.stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=app_dir, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            wait_until_healthy(server, process)
            yield server
        finally:
            stop(process)


def wait_until_healthy(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before answering\n{server.describe()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer GET /health within {SERVER_START_TIMEOUT:.0f} s\n{server.describe()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


def json_lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def test_example_tests_pass_before_the_run(tmp_path: Path) -> None:
    app_dir = committed_copy(tmp_path / "civiclens")

    completed = run_example_tests(app_dir)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_run_succeeds_and_every_changed_file_compiles(transformed: Transformed) -> None:
    assert transformed.run.returncode == 0, transformed.run.stderr.decode()
    assert "app/main.py" in transformed.changed
    for relpath in transformed.changed:
        path = transformed.root / relpath
        if path.suffix == ".py":
            compile(path.read_bytes(), str(path), "exec")


@requires(*LOGGING_MIGRATION)
def test_example_tests_pass_after_the_run(transformed: Transformed) -> None:
    completed = run_example_tests(transformed.root)

    assert completed.returncode == 0, completed.stdout + completed.stderr


@requires(*LOGGING_MIGRATION)
def test_command_line_script_keeps_its_prints(transformed: Transformed) -> None:
    assert "scripts/seed.py" not in transformed.changed


@requires(*LOGGING_MIGRATION)
def test_served_app_logs_json_with_the_request_id(transformed: Transformed, tmp_path: Path) -> None:
    headers = {"X-Request-ID": "e2e-123"}
    with serve(transformed.root, tmp_path, ENVIRONMENT="production", DEBUG="false") as server:
        created = httpx.post(f"{server.url}/reports", json=REPORT, headers=headers, timeout=REQUEST_TIMEOUT)
        stats = httpx.get(f"{server.url}/reports/stats", headers=headers, timeout=REQUEST_TIMEOUT)
        assert (created.status_code, stats.status_code) == (201, 200), created.text + stats.text

    records = json_lines(server.output())
    for message in (REPORT_MESSAGE, STATS_MESSAGE):
        matching = [record for record in records if message in str(record.get("message"))]
        assert matching, f"no JSON log line with {message!r}\n{server.describe()}"
        assert [record.get("request_id") for record in matching] == ["e2e-123"], server.describe()


@requires("conditional_docs")
def test_docs_stay_served_because_the_tests_use_them(transformed: Transformed, tmp_path: Path) -> None:
    """tests/test_app.py requests /docs: conditional_docs leaves the app alone."""
    assert "tests/test_app.py:12 requests /docs from this app" in transformed.run.stderr.decode()
    with serve(transformed.root, tmp_path, ENVIRONMENT="production", DEBUG="false") as server:
        statuses = {
            path: httpx.get(f"{server.url}{path}", timeout=REQUEST_TIMEOUT).status_code
            for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
        }

    assert statuses == dict.fromkeys(statuses, 200), server.describe()


@requires("production_server")
def test_reload_follows_the_debug_setting(transformed: Transformed) -> None:
    main = (transformed.root / "app" / "main.py").read_text(encoding="utf-8")

    assert "reload=settings.DEBUG," in main and "reload=True" not in main


@requires("production_server")
def test_no_workers_for_an_app_that_creates_its_tables_at_startup(transformed: Transformed) -> None:
    """The example's lifespan runs create_all: several workers would all run it at
    once, so no gunicorn.conf.py is written and the finding names the line
    (tests/test_production_server_runtime.py starts gunicorn on a clean app)."""
    assert not (transformed.root / "gunicorn.conf.py").exists()
    assert "app/core/database.py:33: creates the database tables" in transformed.run.stderr.decode()
    # And its pending OTP codes live in one process: verify-otp on another worker would
    # not find the code request-otp stored.
    assert "app/api/auth.py:20: keeps '_pending_otps' in the process" in transformed.run.stderr.decode()


def test_diff_applied_with_git_apply_equals_what_run_wrote(transformed: Transformed, tmp_path: Path) -> None:
    clean = committed_copy(tmp_path / "civiclens")

    diff = run_tool("run", "--diff", "--no-progress", str(clean), cwd=clean)

    assert diff.returncode == 1, diff.stderr.decode()
    applied_diff = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", "-"],
        cwd=clean,
        input=diff.stdout,
        capture_output=True,
        timeout=TOOL_TIMEOUT,
    )
    assert applied_diff.returncode == 0, applied_diff.stderr.decode()
    applied, written = tree_bytes(clean), tree_bytes(transformed.root)
    assert sorted(applied) == sorted(written)
    assert [path for path in applied if applied[path] != written[path]] == []


def test_second_run_changes_nothing(transformed: Transformed) -> None:
    assert transformed.run.returncode == 0, transformed.run.stderr.decode()
    git("add", "-A", cwd=transformed.root)
    git("commit", "-q", "-m", "fastapi-codemods", "--allow-empty", cwd=transformed.root)

    again = run_tool("run", "--no-progress", str(transformed.root), cwd=transformed.root)
    check = run_tool("run", "--check", "--no-progress", str(transformed.root), cwd=transformed.root)

    assert again.returncode == 0, again.stderr.decode()
    assert git("status", "--porcelain", cwd=transformed.root) == ""
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


@requires(*LOGGING_MIGRATION)
def test_startup_messages_stay_on_the_uvicorn_console(tmp_path: Path) -> None:
    """Issue 28: the app served by ``uvicorn app.main:app`` before and after
    ``run --allow-dirty .`` on a copy; every line a person saw on the console (the
    startup prints of the lifespan, uvicorn's own lines, the shutdown prints) is still
    there after, in whatever format the added logging configuration writes.

    The console is read line by line until "Application startup complete" (the
    harness of ``test_programs``: threads, an overall deadline, a port from the OS, the
    server stopped in ``finally``), then one request, then the server is stopped and
    the rest of its output read to the end."""
    from test_programs import Outcome, run_server, run_tool as run_tool_on_copy, vanished

    app_dir = tmp_path / "civiclens"
    shutil.copytree(EXAMPLES, app_dir, ignore=COPY_IGNORE)
    serve_run = {"server": "uvicorn", "app": "app.main:app", "request": "/health"}

    def served(label: str) -> Outcome:
        outcome = run_server(app_dir, serve_run, label)
        assert not outcome.notes, f"{outcome.notes}\n{outcome.console()}"
        assert outcome.response is not None and outcome.response[0] == 200, outcome.console()
        return outcome

    before = served("before")
    assert "Starting CivicLens API" in before.stdout + before.stderr, before.console()

    tool = run_tool_on_copy(app_dir)
    assert tool.returncode == 0, tool.stderr.decode("utf-8", "replace")
    main = (app_dir / "app" / "main.py").read_text(encoding="utf-8")
    assert "print(" not in main.split('if __name__ == "__main__":')[0], main

    after = served("after")
    missing = vanished(before, after)
    assert not missing, ("lines no longer on the console:\n" + "\n".join(f"    {line}" for line in missing)
                         + f"\n{before.console()}\n{after.console()}")
    assert after.response == before.response, f"{before.response} != {after.response}"
