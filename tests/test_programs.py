"""Differential runs: every program of ``tests/programs/`` run before and after the tool.

Each folder under ``tests/programs/`` is a tiny project (mostly a FastAPI backend with
its scripts and command-line programs) and a ``program.toml`` saying how a person runs
it. For each program the test copies the project to a scratch folder, runs it as
described, runs ``python -m fastapi_codemods run --allow-dirty --no-progress .`` on the
copy, runs it the same way again, and checks what a person sees:

- every non-empty line that was on stdout or stderr before is on stdout or stderr
  after, as a substring of some line; a line that is a JSON object (a structured log
  record) also offers its string values, line by line, so any log format counts;
- the exit code is the same (and the one ``program.toml`` expects);
- a server answers its request with the same status and body.

Both runs happen in the same folder, so paths are the same. What differs between any
two runs of a program, rewritten or not, is masked on both sides before comparing:
process ids, ports, gunicorn's timestamps, and the line numbers in traceback frames
(the rewrite adds import and logger lines, so code moves down).

``program.toml``::

    description = "what the program covers"
    same_as = "other_program"      # optional: use that program's files
    requires_python = "3.12"       # optional: skip the runs on an older interpreter

    [[run]]                        # one or more; each run is made before and after
    command = ["python", "-m", "app.cli", "greet"]   # "python" is this interpreter
    stdin = "text fed to stdin"    # optional
    exit_code = 0                  # expected exit code (default 0; for a server, none)

    [[run]]
    server = "uvicorn"             # or "gunicorn": serve `app`, wait for startup, one request
    app = "app.main:app"
    request = "/items/42"          # GET, after "Application startup complete"
    status = 200                   # expected status of the response before
    startup = false                # optional: the app must fail to start (then exit_code counts)

    [tool]                         # optional checks of the tool's run itself
    unchanged = ["app/modern.py"]  # byte-identical after the run
    warns_about = ["app/modern.py"]  # named, with the Python version, on the tool's stderr

No sleeps: a server is ready when its console says "Application startup complete"
(read line by line by threads, under a generous overall timeout); ports come from
the OS; servers are stopped in ``finally``.
"""

from __future__ import annotations

import difflib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import cli_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the package requires tomli on 3.10
    import tomli as tomllib

PROGRAMS = Path(__file__).resolve().parent / "programs"
# Generous: the machine is shared; a hung child must still end the test.
RUN_TIMEOUT = 120.0
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 30.0
STARTED = "Application startup complete"


@dataclass(frozen=True)
class Program:
    name: str
    folder: Path
    spec: dict[str, Any]

    @property
    def runs(self) -> list[dict[str, Any]]:
        return self.spec.get("run", [])


def load_programs() -> list[Program]:
    programs = []
    for toml_path in sorted(PROGRAMS.glob("*/program.toml")):
        spec = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        folder = toml_path.parent
        if "same_as" in spec:
            folder = PROGRAMS / spec["same_as"]
        programs.append(Program(toml_path.parent.name, folder, spec))
    return programs


@dataclass
class Outcome:
    """What one run put on the console, and how it ended."""

    label: str
    stdout: str
    stderr: str
    exit_code: int | None
    response: tuple[int, str] | None = None
    port: int | None = None
    notes: list[str] = field(default_factory=list)

    def console(self) -> str:
        return f"--- {self.label}: stdout ---\n{self.stdout}\n--- {self.label}: stderr ---\n{self.stderr}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_env(project: Path, **extra: str) -> dict[str, str]:
    """The environment a person's shell would give the program: the project importable,
    output unbuffered as on a terminal, nothing from this test run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "COV_"))}
    for key in ("PYTHONPATH", "LOG_LEVEL", "BIND", "PORT", "WEB_CONCURRENCY", "FORCE_COLOR", "NO_COLOR",
                "APP_ENV", "ENVIRONMENT", "DEBUG", "ENABLE_API_DOCS", "GUNICORN_CMD_ARGS"):
        env.pop(key, None)
    env.update(PYTHONPATH=str(project), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
               PYTHONIOENCODING="utf-8", **extra)
    return env


def command_of(run: dict[str, Any]) -> list[str]:
    return [sys.executable if part == "python" else part for part in run["command"]]


def run_command(project: Path, run: dict[str, Any], label: str) -> Outcome:
    command = command_of(run)
    completed = subprocess.run(
        command,
        cwd=project,
        env=child_env(project),
        input=run.get("stdin", "").encode("utf-8"),
        capture_output=True,
        timeout=RUN_TIMEOUT,
    )
    return Outcome(f"{label} `{shown_command(command)}`", completed.stdout.decode("utf-8", "replace"),
                   completed.stderr.decode("utf-8", "replace"), completed.returncode)


def shown_command(command: list[str]) -> str:
    return " ".join("python" if part == sys.executable else part for part in command)


def server_command(project: Path, run: dict[str, Any], port: int) -> list[str]:
    app = run["app"]
    if run["server"] == "uvicorn":
        return [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    if run["server"] == "gunicorn":
        if (project / "gunicorn.conf.py").is_file():
            # The generated config reads BIND and WEB_CONCURRENCY (set in the environment).
            return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app]
        return [sys.executable, "-m", "gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-w", "1",
                "-b", f"127.0.0.1:{port}", app]
    raise ValueError(f"unknown server {run['server']!r}")


def _pump(stream: Any, name: str, lines: list[str], events: queue.Queue[tuple[str, str | None]]) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        lines.append(line)
        events.put((name, line))
    events.put((name, None))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def run_server(project: Path, run: dict[str, Any], label: str) -> Outcome:
    """Serve the app, wait for its startup on the console, make one request, stop it."""
    port = free_port()
    env = child_env(project, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    if run["server"] == "gunicorn":
        # gunicorn >= 24 opens a control socket under $HOME: one per test, so that
        # concurrent tests do not take each other's.
        home = project.parent / "home"
        home.mkdir(exist_ok=True)
        env["HOME"] = str(home)
    command = server_command(project, run, port)
    process = subprocess.Popen(command, cwd=project, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[str] = []
    err: list[str] = []
    events: queue.Queue[tuple[str, str | None]] = queue.Queue()
    readers = [threading.Thread(target=_pump, args=(process.stdout, "stdout", out, events), daemon=True),
               threading.Thread(target=_pump, args=(process.stderr, "stderr", err, events), daemon=True)]
    for reader in readers:
        reader.start()
    outcome = Outcome(f"{label} `{shown_command(command)}`", "", "", None, port=port)
    try:
        started = wait_for_startup(events)
        if run.get("startup", True):
            if not started:
                outcome.notes.append("the server did not report startup")
            else:
                response = httpx.get(f"http://127.0.0.1:{port}{run['request']}", timeout=REQUEST_TIMEOUT)
                outcome.response = (response.status_code, response.text)
        elif started:
            outcome.notes.append("the server started although the program expects its startup to fail")
    finally:
        if run.get("startup", True) or process.poll() is None:
            stop(process)
        else:
            process.wait(timeout=STOP_TIMEOUT)
        for reader in readers:
            reader.join(timeout=STOP_TIMEOUT)
    outcome.stdout, outcome.stderr, outcome.exit_code = "".join(out), "".join(err), process.returncode
    return outcome


def wait_for_startup(events: queue.Queue[tuple[str, str | None]]) -> bool:
    """True once a console line says the app started; False when both streams end first.

    Looks on both streams: after the rewrite uvicorn's records may go wherever the
    project's logging sends them."""
    ended: set[str] = set()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while len(ended) < 2:
        try:
            name, line = events.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            pytest.fail(f"no {STARTED!r} on the console within {STARTUP_TIMEOUT:.0f} s")
        if line is None:
            ended.add(name)
        elif STARTED in line:
            return True
    return False


def run_program(project: Path, run: dict[str, Any], label: str) -> Outcome:
    return run_server(project, run, label) if "server" in run else run_command(project, run, label)


# What differs between any two runs of the same program, rewritten or not.
VOLATILE = [
    (re.compile(r'(File ".*", line )\d+'), r"\1<n>"),
    (re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\]"), "[<time>] [<pid>]"),
    (re.compile(r"process \[\d+\]"), "process [<pid>]"),
    (re.compile(r"pid:\s*\d+"), "pid: <pid>"),
    (re.compile(r"(Listening at: \S+) \(\d+\)"), r"\1 (<pid>)"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    # gunicorn's own line naming the worker class: the generated config uses the
    # uvicorn-worker package's class, which replaces the deprecated uvicorn.workers one.
    (re.compile(r"Using worker: uvicorn(?:\.workers|_worker)\.UvicornWorker"), "Using worker: <uvicorn worker>"),
]


def normalise(line: str, port: int | None) -> str:
    if port is not None:
        line = line.replace(str(port), "<port>")
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line.strip()


def lines_shown(outcome: Outcome) -> list[str]:
    """Every console line of a run, and for a JSON log record each line of its string values."""
    shown = []
    for raw in (outcome.stdout + "\n" + outcome.stderr).splitlines():
        shown.append(normalise(raw, outcome.port))
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        for value in _strings(record):
            shown.extend(normalise(part, outcome.port) for part in value.splitlines())
    return [line for line in shown if line]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def vanished(before: Outcome, after: Outcome) -> list[str]:
    wanted = [normalise(raw, before.port) for raw in (before.stdout + "\n" + before.stderr).splitlines()]
    shown = lines_shown(after)
    return [line for line in wanted if line and not any(line in candidate for candidate in shown)]


def copy_project(program: Program, destination: Path) -> Path:
    shutil.copytree(program.folder, destination,
                    ignore=shutil.ignore_patterns("program.toml", "__pycache__", "*.pyc"))
    return destination


def run_tool(project: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "run", "--allow-dirty", "--no-progress", "."],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT,
    )


def python_at_least(version: str) -> bool:
    return sys.version_info[:2] >= tuple(int(part) for part in version.split("."))


PROGRAM_LIST = load_programs()


def test_the_corpus_is_large_enough() -> None:
    assert len(PROGRAM_LIST) >= 30, [program.name for program in PROGRAM_LIST]
    for program in PROGRAM_LIST:
        assert program.spec.get("description"), f"{program.name}: program.toml needs a description"
        assert program.runs, f"{program.name}: program.toml needs at least one [[run]]"


@pytest.mark.parametrize("program", PROGRAM_LIST, ids=[program.name for program in PROGRAM_LIST])
def test_program_shows_the_same_console_after_the_run(program: Program, tmp_path: Path) -> None:
    project = copy_project(program, tmp_path / program.name)
    runnable = python_at_least(program.spec.get("requires_python", "3.0"))
    checks = program.spec.get("tool", {})
    originals = {relpath: (project / relpath).read_bytes() for relpath in checks.get("unchanged", [])}

    before = [run_program(project, run, f"before #{index}") for index, run in enumerate(program.runs)] \
        if runnable else []
    for run, outcome in zip(program.runs, before):
        assert not outcome.notes, f"{outcome.notes}\n{outcome.console()}"
        # A server the test stops has no exit code of its own to expect (uvicorn re-raises
        # SIGTERM, gunicorn exits 0): only before and after are compared.
        expected = run.get("exit_code", None if "server" in run else 0)
        if expected is not None:
            assert outcome.exit_code == expected, outcome.console()
        if outcome.response is not None:
            assert outcome.response[0] == run["status"], f"{outcome.response}\n{outcome.console()}"

    tool = run_tool(project)
    tool_stderr = tool.stderr.decode("utf-8", "replace")
    assert tool.returncode == 0, tool_stderr

    for relpath, content in originals.items():
        now = (project / relpath).read_bytes()
        if now != content:
            diff = "".join(difflib.unified_diff(content.decode().splitlines(True), now.decode().splitlines(True),
                                                f"a/{relpath}", f"b/{relpath}"))
            pytest.fail(f"{relpath} was rewritten\n{diff}\n--- tool ---\n{tool_stderr}", pytrace=False)
    for relpath in checks.get("warns_about", []):
        needs = program.spec["requires_python"]
        assert any(relpath in line and needs in line for line in tool_stderr.splitlines()), (
            f"no warning naming {relpath} and Python {needs}\n{tool_stderr}")

    if not runnable:
        pytest.skip(f"{program.name} needs Python {program.spec['requires_python']} to run; this is "
                    f"{sys.version_info[0]}.{sys.version_info[1]} (the tool's checks above passed)")

    after = [run_program(project, run, f"after #{index}") for index, run in enumerate(program.runs)]
    problems = []
    for before_run, after_run in zip(before, after):
        missing = vanished(before_run, after_run)
        if missing:
            problems.append(f"{before_run.label}: lines no longer on the console:\n"
                            + "\n".join(f"    {line}" for line in missing))
        if after_run.notes:
            problems.append(f"{after_run.label}: {after_run.notes}")
        if after_run.exit_code != before_run.exit_code:
            problems.append(f"{after_run.label}: exit code {after_run.exit_code}, before {before_run.exit_code}")
        if after_run.response != before_run.response:
            problems.append(f"{after_run.label}: response {after_run.response}, before {before_run.response}")
    if problems:
        consoles = "\n".join(outcome.console() for pair in zip(before, after) for outcome in pair)
        pytest.fail("\n".join(problems) + f"\n--- tool ---\n{tool_stderr}\n{consoles}", pytrace=False)
