"""Median latency of the example app's endpoints before and after ``background_tasks``.

Copies ``examples/`` twice into a scratch folder, rewrites one copy with
``fastapi-codemods run --only background_tasks``, serves each copy in turn with
uvicorn on 127.0.0.1 (a free port, the gateway delays left at their defaults so the
SMS and e-mail cost what the app says they cost), sends a bounded number of requests
to the endpoints the transform changes, stops the server and prints a table.

Two rounds per endpoint: requests back to back, and requests spaced by ``--gap``
seconds. The spaced round shows what one client waits for. The back-to-back round
also shows contention: with FastAPI >= 0.118 a request's ``yield`` dependencies (the
session, and a transaction it left open) close only after its background tasks, so
on SQLite the next request can wait for the previous one's lock, as it did before
the rewrite.

    python benchmarks/background_latency.py [--requests N] [--gap SECONDS]

Run from the repository root with the test extra installed (or PYTHONPATH=src).
Numbers depend on the machine; the lead records them in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
WARM_UP = 2
MAX_REQUESTS = 500
REPORT = {
    "title": "Pothole near the market",
    "description": "Two deep potholes in front of the vegetable market gate.",
    "category": "pothole",
    "latitude": 12.9716,
    "longitude": 77.5946,
}

# (label, request sender); each gets a counter so every OTP goes to a new phone.
ENDPOINTS: list[tuple[str, Callable[[httpx.Client, int], httpx.Response]]] = [
    ("POST /auth/request-otp", lambda c, i: c.post("/auth/request-otp", json={"phone": f"+9190000{i:05d}"})),
    ("POST /reports", lambda c, i: c.post("/reports", json=REPORT)),
]


def prepare(workdir: Path) -> tuple[Path, Path]:
    """Two copies of the example app; the second rewritten by the transform."""
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.db", ".env")
    before, after = workdir / "before", workdir / "after"
    shutil.copytree(EXAMPLES, before, ignore=ignore)
    shutil.copytree(EXAMPLES, after, ignore=ignore)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])))
    subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "run", "--only", "background_tasks", "--allow-dirty", "--no-progress", "."],
        cwd=after,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return before, after


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app_dir: Path) -> Iterator[str]:
    """uvicorn serving ``app_dir``'s app on a free local port; stopped on exit."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(
        PYTHONPATH=str(app_dir),
        PYTHONDONTWRITEBYTECODE="1",
        ENVIRONMENT="development",
        DATABASE_URL=f"sqlite+aiosqlite:///{app_dir / 'bench.db'}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=app_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode} in {app_dir}")
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start in time") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(app_dir: Path, requests: int, gaps: tuple[float, ...]) -> dict[tuple[str, float], float]:
    """Median milliseconds per (endpoint, gap) over ``requests`` calls (after a warm-up)."""
    medians: dict[tuple[str, float], float] = {}
    with serve(app_dir) as base, httpx.Client(base_url=base, timeout=30.0) as client:
        counter = 0
        for label, send in ENDPOINTS:
            for gap in gaps:
                timings = []
                for round_number in range(WARM_UP + requests):
                    counter += 1
                    started = time.perf_counter()
                    response = send(client, counter)
                    elapsed = time.perf_counter() - started
                    response.raise_for_status()
                    if round_number >= WARM_UP:
                        timings.append(elapsed * 1000)
                    time.sleep(gap)
                medians[label, gap] = statistics.median(timings)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help=f"requests per endpoint and round (max {MAX_REQUESTS})")
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between requests in the spaced round (max 5)")
    args = parser.parse_args()
    requests = max(1, min(args.requests, MAX_REQUESTS))
    gaps = (0.0, max(0.0, min(args.gap, 5.0)))
    with tempfile.TemporaryDirectory(prefix="background-latency-") as scratch:
        before, after = prepare(Path(scratch))
        old = measure(before, requests, gaps)
        new = measure(after, requests, gaps)
    print(f"median latency over {requests} requests per endpoint and round (uvicorn, 127.0.0.1)")
    print("| endpoint | requests | before (ms) | after (ms) | speed-up |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, _send in ENDPOINTS:
        for gap in gaps:
            spacing = "back to back" if gap == 0 else f"{gap:g} s apart"
            before_ms, after_ms = old[label, gap], new[label, gap]
            print(f"| {label} | {spacing} | {before_ms:.1f} | {after_ms:.1f} | {before_ms / after_ms:.1f}x |")


if __name__ == "__main__":
    main()
