"""Health and API docs. The test environment is development with DEBUG on, where
the docs are served both before and after the docs are made conditional."""

from fastapi.testclient import TestClient


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "environment": "development"}


def test_docs_are_served_in_development(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/redoc").status_code == 200
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "CivicLens API"
    assert "/reports" in schema["paths"]
