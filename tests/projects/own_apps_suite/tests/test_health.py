from app.main import app
from testing_utils import build_client


def test_health() -> None:
    assert build_client(app).get("/health").json() == {"status": "ok"}
