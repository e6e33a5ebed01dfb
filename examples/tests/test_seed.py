"""The seed script is a command-line program: its prints are its output."""

from fastapi.testclient import TestClient

from app.main import app
from scripts.seed import main


def test_seed_prints_progress_and_creates_reports(capsys) -> None:
    assert main(["--reports", "3"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Seeding 3 reports..."
    assert lines[1].startswith("Done: demo user ") and lines[1].endswith(" owns 3 new reports")
    with TestClient(app) as client:
        titles = [report["title"] for report in client.get("/reports").json()]
    assert sorted(title for title in titles if title.startswith("Demo report #")) == [
        "Demo report #1",
        "Demo report #2",
        "Demo report #3",
    ]
