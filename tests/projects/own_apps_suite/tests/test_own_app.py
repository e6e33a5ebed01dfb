"""Builds its own app to check the schema route, as fastapi-users' tests do."""

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_openapi_route() -> None:
    app = FastAPI()

    @app.get("/items")
    def items() -> list[int]:
        return [1]

    client = TestClient(app)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
