"""End to end: ``background_tasks`` over the example app, and the app still works.

After the rewrite the OTP endpoint hands the SMS to BackgroundTasks and the
report endpoint hands the moderators' e-mail to it; the messages must still reach
the outbox once the TestClient call returns (Starlette runs the tasks before the
call completes), nothing that holds the request's session is moved, and the app's
own tests pass. Timing is measured by ``benchmarks/background_latency.py``, not here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, cli_env

EXAMPLES = REPO / "examples"
COPY_IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.db", ".env")
TIMEOUT = 300

# Runs inside the rewritten app: the SMS and the e-mail are sent although the
# endpoints no longer await them.
CHECK_OUTBOX = """
import json, os, tempfile
os.environ.update(
    DATABASE_URL="sqlite+aiosqlite:///" + os.path.join(tempfile.mkdtemp(), "e2e.db"),
    ENVIRONMENT="development", SMS_DELAY_SECONDS="0", EMAIL_DELAY_SECONDS="0",
)
from fastapi.testclient import TestClient
from app.main import app
from app.services.notifications import OUTBOX

with TestClient(app) as client:
    otp = client.post("/auth/request-otp", json={"phone": "+910000000001"})
    sms = [m.body for m in OUTBOX if m.channel == "sms" and m.to == "+910000000001"]
    report = client.post("/reports", json={
        "title": "Broken street light", "description": "Dark since Monday.",
        "category": "streetlight", "latitude": 12.97, "longitude": 77.59,
    })
    emails = [m.subject for m in OUTBOX if m.channel == "email"]
print(json.dumps({"otp": otp.status_code, "sms": sms, "report": report.status_code, "emails": emails}))
"""


def _child_env(app_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(app_dir), PYTHONDONTWRITEBYTECODE="1")
    return env


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    app_dir = tmp_path_factory.mktemp("background") / "examples"
    shutil.copytree(EXAMPLES, app_dir, ignore=COPY_IGNORE)
    completed = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "run", "--only", "background_tasks", "--allow-dirty",
         "--no-progress", "--report", "report.json", "."],
        cwd=app_dir,
        env=cli_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    report = json.loads((app_dir / "report.json").read_text(encoding="utf-8"))
    (app_dir / "report.json").unlink()
    return app_dir, report


def test_notifications_leave_the_request_path(rewritten: tuple[Path, dict]) -> None:
    app_dir, _report = rewritten
    auth = (app_dir / "app/api/auth.py").read_text(encoding="utf-8")
    reports = (app_dir / "app/api/reports.py").read_text(encoding="utf-8")
    assert "background_tasks.add_task(send_sms, body.phone, f\"Your code is {otp}\")" in auth
    assert "background_tasks.add_task(\n        send_email," in reports
    assert "await send_email(" not in reports


def test_session_holders_stay_and_are_reported(rewritten: tuple[Path, dict]) -> None:
    app_dir, report = rewritten
    reports = (app_dir / "app/api/reports.py").read_text(encoding="utf-8")
    assert "await audit_log(db," in reports
    assert "await notifier.notify_user(" in reports
    reasons = [f["reason"] for f in report["findings"] if f["transform"] == "background_tasks"]
    assert sum("would carry `db`" in reason for reason in reasons) == 3
    assert any("method of `notifier`" in reason for reason in reasons)
    assert any("try/except" in reason for reason in reasons)


def test_moved_sms_and_email_are_still_sent(rewritten: tuple[Path, dict]) -> None:
    app_dir, _report = rewritten
    completed = subprocess.run(
        [sys.executable, "-c", CHECK_OUTBOX],
        cwd=app_dir,
        env=_child_env(app_dir),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    result = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    assert result["otp"] == 200 and result["report"] == 201
    assert len(result["sms"]) == 1 and result["sms"][0].startswith("Your code is ")
    assert result["emails"] == ["New report: Broken street light"]


def test_example_tests_pass_after_the_rewrite(rewritten: tuple[Path, dict]) -> None:
    app_dir, _report = rewritten
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=app_dir,
        env=_child_env(app_dir),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout.decode()[-3000:]


def test_second_run_changes_nothing(rewritten: tuple[Path, dict]) -> None:
    app_dir, _report = rewritten
    completed = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "run", "--check", "--only", "background_tasks", "."],
        cwd=app_dir,
        env=cli_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout.decode()
