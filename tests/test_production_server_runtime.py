"""production_server at run time: what it writes starts, what it refuses is refused.

A clean app gets a ``gunicorn.conf.py``; gunicorn started with it runs two workers on a
loopback port the OS picks (``BIND=127.0.0.1:0``; the port is read from gunicorn's
"Listening at" line), answers 200, and prints one line per request on the console.
Apps whose startup must run once per deployment (tables created in the lifespan on
SQLite, a migration in a startup handler, a scheduler) get no config and a finding
naming the line. The race behind that refusal is shown too, deterministically: two
gunicorn workers held at a FIFO barrier between create_all's existence check and its
CREATE TABLE both create the table, one fails to boot and gunicorn exits; with the
tables created once beforehand both boot. A ``uvicorn.run`` launcher started by a
Dockerfile is run before and after its rewrite. No sleeps: the test reads the server's
console line by line and the barrier with blocking FIFO reads, each wait bounded by a
deadline.
"""

from __future__ import annotations

import os
import queue
import re
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from fastapi_codemods.engine.driver import RunOptions, run

FIXTURES = Path(__file__).parent / "fixtures" / "production_server"
DEADLINE = 60.0
CLEAN_APP = '''\
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}
'''


class Console:
    """The merged stdout and stderr of a process, read line by line in a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, count: int = 1) -> list[re.Match[str]]:
        """The first ``count`` matches of ``pattern`` (earlier lines included)."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + DEADLINE
        while True:
            found = [match for line in self.seen if (match := compiled.search(line))]
            if len(found) >= count:
                return found[:count]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no {count} x {pattern!r} within {DEADLINE:.0f} s:\n{''.join(self.seen)}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"the server exited before {count} x {pattern!r}:\n{''.join(self.seen)}")
            self.seen.append(line)


def transform(tmp_path: Path, source: Path | None = None) -> tuple[Path, list[str]]:
    root = tmp_path / "project"
    if source is not None:
        shutil.copytree(source, root)
    else:
        (root / "app").mkdir(parents=True)
        (root / "app" / "__init__.py").write_text("")
        (root / "app" / "main.py").write_text(CLEAN_APP)
        (root / "requirements.txt").write_text("fastapi\nuvicorn[standard]\n")
    outcome = run(RunOptions(paths=[root], only=["production_server"], jobs=1, allow_dirty=True))
    return root, [finding.reason for finding in outcome.findings]


def test_gunicorn_runs_two_workers_with_the_written_config_and_logs_requests(tmp_path: Path) -> None:
    root, findings = transform(tmp_path)
    assert findings == []
    assert "uvicorn-worker" in (root / "requirements.txt").read_text()
    env = {**os.environ, "BIND": "127.0.0.1:0", "WEB_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app.main:app"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    try:
        console = Console(process)
        port = console.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0].group(1)
        console.wait_for(r"Booting worker with pid", count=2)
        console.wait_for(r"Application startup complete", count=2)
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        console.wait_for(r'"GET / HTTP/1\.1" 200')
        assert not any("DeprecationWarning" in line for line in console.seen)
    finally:
        process.terminate()
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("case", "finding"),
    [
        ("lifespan_creates_tables", "app/db.py:13: creates the database tables (metadata.create_all) at startup"),
        ("startup_migration", "app/main.py:10: runs the migrations (alembic.command.upgrade) at startup"),
        ("startup_scheduler", "app/main.py:15: starts a scheduler (APScheduler start()) at startup"),
    ],
)
def test_startup_work_that_must_run_once_is_refused(tmp_path: Path, case: str, finding: str) -> None:
    root, findings = transform(tmp_path, FIXTURES / case / "input")
    assert not (root / "gunicorn.conf.py").exists()
    assert [reason for reason in findings if reason.startswith(finding)], findings
    assert all("gunicorn.conf.py not written" in reason for reason in findings)



LAUNCHER = '''\
import os

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index() -> dict[str, int]:
    return {"pid": os.getpid()}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]))
'''


def _start(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], Console]:
    process = subprocess.Popen(
        [sys.executable, "main.py"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True,
    )
    return process, Console(process)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_python_launcher_the_dockerfile_starts_serves_two_workers_after_the_rewrite(tmp_path: Path) -> None:
    """``CMD ["python", "main.py"]`` with ``uvicorn.run(app)``: before, WEB_CONCURRENCY=2
    makes uvicorn refuse the app object and exit; after, the import string and
    ``workers=`` start two workers that serve."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text(LAUNCHER)
    (root / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY . /code\nWORKDIR /code\nCMD ["python", "main.py"]\n')
    (root / "requirements.txt").write_text("fastapi\nuvicorn[standard]\n")
    env = {**os.environ, "PORT": "0", "WEB_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1"}
    before, console = _start(root, env)
    try:
        console.wait_for(r"You must pass the application as an import string")
        assert before.wait(timeout=DEADLINE) != 0
    finally:
        _stop(before)
    outcome = run(RunOptions(paths=[root], only=["production_server"], jobs=1, allow_dirty=True))
    assert [finding.reason for finding in outcome.findings] == []
    assert '"main:app"' in (root / "main.py").read_text()
    after, console = _start(root, env)
    try:
        port = console.wait_for(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")[0].group(1)
        console.wait_for(r"Started server process", count=2)
        console.wait_for(r"Application startup complete", count=2)
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert response.status_code == 200
    finally:
        _stop(after)


# The race behind the create_all refusal, made deterministic: every worker stops after
# create_all has checked which tables exist and before it creates any (SQLAlchemy's
# ``before_create`` on the metadata), announces itself on a FIFO and waits on its own
# FIFO until the test has seen both workers arrive. No sleeps: blocking FIFO reads,
# each bounded by the deadline.
RACE_DB = '''\
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_engine(os.environ["DATABASE_URL"])


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


def init_db() -> None:
    Base.metadata.create_all(engine)
'''
RACE_MAIN = '''\
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db import init_db


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
'''
# The test's own gunicorn settings (not the app's): two workers, and the barrier
# installed in each worker after it imported the app, before its lifespan runs.
RACE_CONFIG = '''\
import os

bind = "127.0.0.1:0"
workers = 2
worker_class = "uvicorn_worker.UvicornWorker"


def post_worker_init(worker):
    from sqlalchemy import event

    from app.db import Base

    def barrier(target, connection, **kw):
        folder = os.environ["RACE_DIR"]
        go = os.path.join(folder, f"go-{os.getpid()}")
        os.mkfifo(go)
        with open(os.path.join(folder, "arrived"), "w") as arrived:
            arrived.write(f"{os.getpid()}\\n")
        with open(go) as wait:
            wait.read()

    event.listen(Base.metadata, "before_create", barrier)
'''


def _race_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db.py").write_text(RACE_DB)
    (root / "app" / "main.py").write_text(RACE_MAIN)
    (root / "requirements.txt").write_text("fastapi\nuvicorn[standard]\nsqlalchemy\n")
    return root


def _release_both(folder: Path) -> list[str]:
    """Wait for both workers at the barrier (the FIFO opened read-write never reaches
    end of file between their writes), then let them go: their pids."""
    fd = os.open(folder / "arrived", os.O_RDWR | os.O_NONBLOCK)
    pids: list[str] = []
    buffer = b""
    deadline = time.monotonic() + DEADLINE
    try:
        while len(pids) < 2:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                pytest.fail(f"the workers did not both reach create_all: {pids}")
            buffer += os.read(fd, 4096)
            *lines, rest = buffer.split(b"\n")
            buffer = rest
            pids += [line.decode() for line in lines if line]
    finally:
        os.close(fd)
    for pid in pids:
        # Opening for writing blocks until the worker opens its end: it is there already.
        with open(folder / f"go-{pid}", "w") as go:
            go.write("go")
    return pids


def _gunicorn(root: Path, race: Path) -> tuple[subprocess.Popen[str], Console]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{root / 'app.db'}", "RACE_DIR": str(race),
           "PYTHONUNBUFFERED": "1"}
    env.pop("WEB_CONCURRENCY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(race / "race.conf.py"), "app.main:app"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    return process, Console(process)


def _race_dir(tmp_path: Path) -> Path:
    race = tmp_path / "race"
    race.mkdir()
    os.mkfifo(race / "arrived")
    (race / "race.conf.py").write_text(RACE_CONFIG)
    return race


def test_two_workers_running_create_all_at_once_fail_to_boot_which_is_why_it_is_refused(tmp_path: Path) -> None:
    """The issue's case: a lifespan creating the tables on an empty SQLite database,
    under gunicorn with two workers. Both find no table, both create it: one worker
    dies on "table users already exists" and gunicorn gives up. production_server
    refuses the app, naming the line."""
    root = _race_project(tmp_path)
    race = _race_dir(tmp_path)
    process, console = _gunicorn(root, race)
    try:
        console.wait_for(r"Booting worker with pid", count=2)
        assert len(_release_both(race)) == 2
        console.wait_for(r"table users already exists")
        console.wait_for(r"Worker failed to boot")
        assert process.wait(timeout=DEADLINE) != 0
    finally:
        process.kill()
        process.wait()

    (root / "app.db").unlink()
    outcome = run(RunOptions(paths=[root], only=["production_server"], jobs=1, allow_dirty=True))
    reasons = [finding.reason for finding in outcome.findings]
    assert any(reason.startswith("app/db.py:19: creates the database tables (metadata.create_all) at startup")
               for reason in reasons), reasons
    assert not (root / "gunicorn.conf.py").exists()


def test_with_the_tables_created_once_before_the_server_both_workers_boot(tmp_path: Path) -> None:
    """The finding's remedy, under the same barrier: create the tables once (a release
    step), then start the workers; both pass create_all (nothing left to create) and serve."""
    root = _race_project(tmp_path)
    race = _race_dir(tmp_path)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{root / 'app.db'}"}
    subprocess.run([sys.executable, "-c", "from app.db import init_db; init_db()"], cwd=root, env=env, check=True)
    process, console = _gunicorn(root, race)
    try:
        port = console.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0].group(1)
        assert len(_release_both(race)) == 2
        console.wait_for(r"Application startup complete", count=2)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
        assert not any("already exists" in line for line in console.seen)
    finally:
        process.terminate()
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
