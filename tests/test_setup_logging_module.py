"""The logging module that ``setup_logging`` creates, exercised for real.

Each variant (standard library formatter, python-json-logger) is written to a
scratch folder, imported by a small FastAPI app run in a subprocess (so that the
root logger starts unconfigured, as in production), and requested through
TestClient. With handlers already on the root logger, or under pytest, it must
leave logging alone.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import black
import pytest

from fastapi_codemods.codemods.setup_logging._template import render

VARIANTS = [pytest.param(False, id="stdlib"), pytest.param(True, id="python-json-logger")]

APP = """
import json
import logging
import sys

from fastapi import FastAPI
from fastapi.testclient import TestClient

from logging_config import RequestIdMiddleware, setup_logging

setup_logging()
setup_logging()
handlers = len(logging.getLogger().handlers)

app = FastAPI()
app.add_middleware(RequestIdMiddleware)
log = logging.getLogger("demo.endpoint")


@app.get("/")
def index():
    log.info("handled %s", "ping", extra={"user": "ada"})
    return {}


@app.get("/boom")
async def boom():
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("division failed")
    return {}


log.warning("outside a request")
with TestClient(app) as client:
    generated = client.get("/").headers.get("x-request-id")
    given = client.get("/", headers={"X-Request-ID": "abc-123"}).headers.get("x-request-id")
    hostile = client.get("/", headers={"X-Request-ID": "a b" * 100}).headers.get("x-request-id")
    failed = client.get("/boom").headers.get("x-request-id")
sys.stderr.write(json.dumps(
    {"handlers": handlers, "generated": generated, "given": given, "hostile": hostile, "failed": failed}
))
"""


def _run_app(tmp_path: Path, use_jsonlogger: bool, **env: str) -> tuple[list[dict], dict]:
    (tmp_path / "logging_config.py").write_text(render(use_jsonlogger, "LOG_LEVEL"), encoding="utf-8")
    (tmp_path / "demo.py").write_text(APP, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    environment.update(env, PYTHONPATH=str(tmp_path))
    completed = subprocess.run(
        [sys.executable, "demo.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    return lines, json.loads(completed.stderr.splitlines()[-1])


def _records(lines: list[dict], logger: str) -> list[dict]:
    return [line for line in lines if line["logger"] == logger]


@pytest.mark.parametrize("use_jsonlogger", VARIANTS)
def test_module_is_black_formatted_and_compiles(use_jsonlogger: bool) -> None:
    text = render(use_jsonlogger, "APP_LOG_LEVEL")
    assert black.format_str(text, mode=black.Mode()) == text
    compile(text, "logging_config.py", "exec")
    assert 'LOG_LEVEL_ENV = "APP_LOG_LEVEL"' in text
    assert ("pythonjsonlogger.json import JsonFormatter" in text) is use_jsonlogger
    assert "pythonjsonlogger.jsonlogger" not in text


@pytest.mark.parametrize("use_jsonlogger", VARIANTS)
def test_every_record_is_one_json_line_carrying_the_request_id(tmp_path: Path, use_jsonlogger: bool) -> None:
    lines, seen = _run_app(tmp_path, use_jsonlogger)

    assert seen["handlers"] == 1, "calling setup_logging twice must add one handler"
    assert len(seen["generated"]) == 32 and seen["given"] == "abc-123"
    assert seen["hostile"] not in (None, "a b" * 100), "an invalid incoming id is replaced"

    outside, *handled, failed = _records(lines, "demo.endpoint")
    assert outside["message"] == "outside a request" and outside["request_id"] is None
    assert [r["request_id"] for r in handled] == [seen["generated"], "abc-123", seen["hostile"]]
    first = handled[0]
    assert first["message"] == "handled ping" and first["level"] == "INFO" and first["user"] == "ada"
    assert first["timestamp"]
    assert failed["level"] == "ERROR" and failed["request_id"] == seen["failed"]
    assert "ZeroDivisionError" in failed["exc_info"]


@pytest.mark.parametrize("use_jsonlogger", VARIANTS)
def test_level_comes_from_the_environment(tmp_path: Path, use_jsonlogger: bool) -> None:
    lines, _ = _run_app(tmp_path, use_jsonlogger, LOG_LEVEL="warning")
    assert [r["level"] for r in _records(lines, "demo.endpoint")] == ["WARNING", "ERROR"]

    lines, _ = _run_app(tmp_path, use_jsonlogger, LOG_LEVEL="loud")
    assert any("is not a logging level" in line["message"] for line in lines)
    assert len(_records(lines, "demo.endpoint")) == 5, "an unknown level falls back to INFO"


PREINSTALLED = """
import json
import logging
import sys

from logging_config import setup_logging

class Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())

keep = Keep()
root = logging.getLogger()
root.addHandler(keep)
setup_logging()
logging.getLogger("demo").warning("reaches the existing handler")
sys.stderr.write(json.dumps({"handlers": len(root.handlers), "level": root.level, "messages": keep.messages}))
"""


@pytest.mark.parametrize("use_jsonlogger", VARIANTS)
def test_existing_root_handlers_are_left_alone(tmp_path: Path, use_jsonlogger: bool) -> None:
    (tmp_path / "logging_config.py").write_text(render(use_jsonlogger, "LOG_LEVEL"), encoding="utf-8")
    (tmp_path / "preinstalled.py").write_text(PREINSTALLED, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "preinstalled.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    seen = json.loads(completed.stderr)
    assert seen == {"handlers": 1, "level": logging.WARNING, "messages": ["reaches the existing handler"]}


@pytest.mark.parametrize("use_jsonlogger", VARIANTS)
def test_under_pytest_caplog_keeps_every_record(
    tmp_path: Path, use_jsonlogger: bool, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "logging_config_under_test.py"
    path.write_text(render(use_jsonlogger, "LOG_LEVEL"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    assert caplog.handler in before
    saved = root.handlers[:]
    # As when a conftest imports the app before pytest installs its handlers.
    root.handlers.clear()
    try:
        module.setup_logging()
        assert root.handlers == [] and root.level == level
    finally:
        root.handlers[:] = saved

    caplog.set_level(logging.INFO)
    logging.getLogger("demo.test").info("still captured")
    assert [r.getMessage() for r in caplog.records] == ["still captured"]
    assert capsys.readouterr().out == ""


END_TO_END = """
import json
import logging
import sys

from fastapi.testclient import TestClient

from app.main import app

with TestClient(app) as client:
    response = client.get("/items")
sys.stderr.write(json.dumps({"id": response.headers["x-request-id"], "handlers": len(logging.getLogger().handlers)}))
"""


def test_rewritten_fixture_app_logs_json_with_request_ids(tmp_path: Path) -> None:
    """The output of the ``app_with_core_package`` fixture, run as the service would."""
    output = Path(__file__).parent / "fixtures" / "setup_logging" / "app_with_core_package"
    shutil.copytree(output / "input", tmp_path, dirs_exist_ok=True)
    shutil.copytree(output / "output", tmp_path, dirs_exist_ok=True)
    (tmp_path / "run.py").write_text(END_TO_END, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "run.py"], cwd=tmp_path, env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stderr.splitlines()[-1])
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    listing = [r for r in records if r["logger"] == "app.api.routes"]
    assert seen["handlers"] == 1
    assert [(r["message"], r["request_id"]) for r in listing] == [("listing items", seen["id"])]
