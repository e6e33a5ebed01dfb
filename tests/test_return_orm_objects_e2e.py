"""End to end for ``return_orm_objects``: the example app answers byte for byte the same.

Copies ``examples/`` to a scratch folder, records the responses of a fixed sequence
of requests (TestClient, in a fresh subprocess: the app reads its settings at import),
rewrites the copy with ``--only return_orm_objects``, records again in another fresh
subprocess and compares status codes and raw bodies. Randomness (OTP codes, tokens)
and the clock are pinned in the recording process so that two runs can be compared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

EXAMPLES = REPO / "examples"
TIMEOUT = 300

RECORDER = r"""
import itertools
import json
import os
import secrets
import sys
import tempfile
from datetime import datetime, timezone

database = tempfile.mkdtemp(prefix="civiclens-e2e-")
os.environ.update(
    DATABASE_URL=f"sqlite+aiosqlite:///{database}/e2e.db",
    ENVIRONMENT="development",
    DEBUG="true",
    SMS_DELAY_SECONDS="0",
    EMAIL_DELAY_SECONDS="0",
)
counter = itertools.count()
secrets.token_urlsafe = lambda nbytes=None: f"token-{next(counter)}"
secrets.token_hex = lambda nbytes=None: f"{next(counter):06x}"
secrets.randbelow = lambda upper: 123456

import app.models


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2025, 10, 29, 12, 0, 0, 123456, tzinfo=timezone.utc)


app.models.datetime = FrozenDatetime

from fastapi.testclient import TestClient

from app.main import app as application

REPORT = {
    "title": "Pothole near the market",
    "description": "Two deep potholes in front of the vegetable market gate.",
    "category": "pothole",
    "latitude": 12.9716,
    "longitude": 77.5946,
}
records = []
with TestClient(application) as client:
    def call(method, path, **kwargs):
        response = client.request(method, path, **kwargs)
        records.append([method, path, response.status_code, response.content.decode()])
        return response

    call("POST", "/auth/request-otp", json={"phone": "+15550001"})
    token = call("POST", "/auth/verify-otp", json={"phone": "+15550001", "code": "123456"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    call("POST", "/reports", json=REPORT, headers=auth)
    call("POST", "/reports", json={**REPORT, "title": "Streetlight out on 5th", "category": "streetlight"})
    call("POST", "/reports", json={**REPORT, "category": "nonsense"})
    call("GET", "/reports")
    call("GET", "/reports/1")
    call("GET", "/reports/999")
    call("POST", "/reports/1/resolve", headers=auth)
    call("GET", "/reports", params={"status": "resolved"})
    call("GET", "/reports", params={"status": "open"})
    call("GET", "/reports/stats")
    call("GET", "/users/me", headers=auth)
    call("PATCH", "/users/me", json={"full_name": "Asha Rao"}, headers=auth)
json.dump(records, sys.stdout)
"""


def record(app_dir: Path) -> list[list]:
    """The app's responses, recorded in a fresh interpreter importing ``app_dir``'s app."""
    script = app_dir / "_record_responses.py"
    script.write_text(RECORDER, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(script)],
        check=False,
        cwd=app_dir,
        env={"PYTHONPATH": str(app_dir), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    script.unlink()
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.skipif(not (EXAMPLES / "app").is_dir(), reason="the example app is not in this checkout")
def test_example_app_answers_the_same_after_the_rewrite(tmp_path: Path) -> None:
    app_dir = tmp_path / "examples"
    shutil.copytree(EXAMPLES, app_dir, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.db", ".env"))
    before = record(app_dir)

    completed = run_cli("run", "--only", "return_orm_objects", "--no-progress", "--allow-dirty", ".", cwd=app_dir)
    assert completed.returncode == 0, completed.stderr.decode()
    rewritten = (app_dir / "app" / "api" / "reports.py").read_text(encoding="utf-8")
    original = (EXAMPLES / "app" / "api" / "reports.py").read_text(encoding="utf-8")
    assert rewritten != original, "the example app no longer has a dict to rewrite: the test proves nothing"
    assert "return report\n" in rewritten and "return reports\n" in rewritten

    after = record(app_dir)
    assert [r[:3] for r in after] == [r[:3] for r in before]
    for old, new in zip(before, after):
        assert new[3] == old[3], f"{old[0]} {old[1]}: body changed"
    assert any(r[1] == "/reports" and r[0] == "GET" and r[2] == 200 and r[3] != "[]" for r in before)
