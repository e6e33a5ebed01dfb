"""Test settings: a throw-away SQLite file, API docs on (debug), no gateway or failed-login delay.

The environment is set before the app is imported: settings are read once, at import.
"""

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

_DB_DIR = Path(tempfile.mkdtemp(prefix="civiclens-tests-"))
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)
os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{_DB_DIR / 'test.db'}"
os.environ["ENVIRONMENT"] = "development"
os.environ["DEBUG"] = "true"
os.environ["SMS_DELAY_SECONDS"] = "0"
os.environ["EMAIL_DELAY_SECONDS"] = "0"
os.environ["OTP_FAILURE_DELAY_SECONDS"] = "0"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402
from app.services.notifications import OUTBOX, OutboxMessage  # noqa: E402


@pytest.fixture
def client() -> Iterator[TestClient]:
    OUTBOX.clear()
    with TestClient(app) as test_client:
        yield test_client


def last_message(channel: str, to: str) -> OutboxMessage:
    return [message for message in OUTBOX if message.channel == channel and message.to == to][-1]


@pytest.fixture
def login(client: TestClient) -> Callable[[str], dict[str, str]]:
    """Log a phone number in through the OTP flow; returns the auth header."""

    def log_in(phone: str) -> dict[str, str]:
        assert client.post("/auth/request-otp", json={"phone": phone}).status_code == 200
        code = last_message("sms", phone).body.rsplit(" ", 1)[-1]
        response = client.post("/auth/verify-otp", json={"phone": phone, "code": code})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return log_in
