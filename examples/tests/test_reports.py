import logging
from datetime import datetime

from conftest import last_message
from fastapi.testclient import TestClient

from app.core.config import settings

POTHOLE = {
    "title": "Pothole on MG Road",
    "description": "A deep pothole in the left lane, next to the bus stop.",
    "category": "pothole",
    "latitude": 12.975512,
    "longitude": 77.605934,
}


def test_create_report_returns_the_stored_report(client: TestClient) -> None:
    response = client.post("/reports", json=POTHOLE)

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    datetime.fromisoformat(body["created_at"])
    assert body == {
        **POTHOLE,
        "id": body["id"],
        "status": "open",
        "user_id": None,
        "created_at": body["created_at"],
    }


def test_created_report_reads_back_identically(client: TestClient) -> None:
    created = client.post("/reports", json=POTHOLE).json()

    assert client.get(f"/reports/{created['id']}").json() == created
    assert created in client.get("/reports").json()
    assert created in client.get("/reports", params={"status": "open"}).json()
    assert created not in client.get("/reports", params={"status": "resolved"}).json()


def test_unknown_report_is_404(client: TestClient) -> None:
    assert client.get("/reports/999999").status_code == 404


def test_create_report_emails_the_moderators(client: TestClient) -> None:
    client.post("/reports", json=POTHOLE)

    message = last_message("email", settings.MODERATORS_EMAIL)
    assert message.subject == "New report: Pothole on MG Road"
    assert message.body == POTHOLE["description"]


def test_create_report_logs_that_it_is_queued(client: TestClient, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="app.api.reports"):
        report_id = client.post("/reports", json=POTHOLE).json()["id"]

    assert f"Report {report_id} queued for review" in [record.getMessage() for record in caplog.records]


def test_invalid_category_is_rejected(client: TestClient) -> None:
    response = client.post("/reports", json={**POTHOLE, "category": "ufo"})

    assert response.status_code == 422


def test_report_of_a_signed_in_user_is_theirs_and_resolving_notifies_them(client: TestClient, login) -> None:
    owner = login("+911111111111")
    moderator = login("+912222222222")
    created = client.post("/reports", json=POTHOLE, headers=owner).json()
    owner_id = client.get("/users/me", headers=owner).json()["id"]
    assert created["user_id"] == owner_id

    response = client.post(f"/reports/{created['id']}/resolve", headers=moderator)

    assert response.status_code == 200
    assert response.json() == {**created, "status": "resolved"}
    assert last_message("sms", "+911111111111").body == f"Your report #{created['id']} has been resolved"


def test_resolving_needs_a_signed_in_user(client: TestClient) -> None:
    created = client.post("/reports", json=POTHOLE).json()

    assert client.post(f"/reports/{created['id']}/resolve").status_code == 401


def test_stats_count_reports_by_status(client: TestClient, login) -> None:
    before = client.get("/reports/stats").json()
    created = client.post("/reports", json=POTHOLE).json()
    client.post(f"/reports/{created['id']}/resolve", headers=login("+918888888888"))
    client.post("/reports", json=POTHOLE)

    after = client.get("/reports/stats").json()

    assert after == {
        "total": before["total"] + 2,
        "open": before["open"] + 1,
        "resolved": before["resolved"] + 1,
    }
