from fastapi.testclient import TestClient

from docs_src.first_steps import app


def test_snippet_serves_its_docs() -> None:
    assert TestClient(app).get("/docs").status_code == 200
