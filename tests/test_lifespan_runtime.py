"""lifespan keeps what runs: the same handlers, in the same order, under TestClient.

One app module registers sync and async handlers, startup and shutdown, with the
decorator and with ``add_event_handler``. It runs before and after the transform
(each version loaded as its own module), normally, with a start-up handler that
fails (start-up aborts, no shutdown handler runs) and with a shutdown handler that
fails (the shutdown handlers after it do not run).

``app.router.add_event_handler``, not ``app.add_event_handler``: Starlette 1.0 removed
the app's method (FastAPI keeps the router's), so on the FastAPI installed here only
the router's runs at all.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from fastapi_codemods.engine.driver import Mode, RunOptions, run

APP = '''\
from fastapi import FastAPI

RAN = []
FAIL = set()


def record(name):
    RAN.append(name)
    if name in FAIL:
        raise RuntimeError(f"{name} failed")


app = FastAPI(title="Runtime")


@app.on_event("startup")
async def open_database():
    record("open_database")


def warm_cache():
    record("warm_cache")


app.router.add_event_handler("startup", warm_cache)


@app.on_event("startup")
def start_scheduler():
    record("start_scheduler")


@app.on_event("shutdown")
def stop_scheduler():
    record("stop_scheduler")


async def close_database():
    record("close_database")


app.router.add_event_handler("shutdown", close_database)


@app.get("/ping")
def ping():
    record("ping")
    return {"ok": True}
'''

SHUTDOWN_ORDER = ["stop_scheduler", "close_database"]
STARTUP_ORDER = ["open_database", "warm_cache", "start_scheduler"]


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # on_event, before the rewrite
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, ModuleType]:
    root = tmp_path_factory.mktemp("lifespan_runtime")
    (root / "before.py").write_text(APP, encoding="utf-8")
    project = root / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("", encoding="utf-8")
    (project / "app" / "main.py").write_text(APP, encoding="utf-8")
    run(RunOptions(paths=[project], mode=Mode.WRITE, only=["lifespan"], jobs=1, allow_dirty=True))
    rewritten = (project / "app" / "main.py").read_text(encoding="utf-8")
    assert "lifespan=lifespan" in rewritten and "on_event" not in rewritten and "add_event_handler" not in rewritten
    return _load(root / "before.py", "lifespan_before"), _load(project / "app" / "main.py", "lifespan_after")


def _serve(module: ModuleType, fail: set[str]) -> tuple[list[str], str | None]:
    """What ran, and the error the client raised (None when none)."""
    module.RAN.clear()
    module.FAIL.clear()
    module.FAIL.update(fail)
    try:
        with TestClient(module.app) as client:
            assert client.get("/ping").json() == {"ok": True}
    except RuntimeError as error:
        return list(module.RAN), str(error)
    return list(module.RAN), None


def test_the_same_handlers_run_in_the_same_order(versions: tuple[ModuleType, ModuleType]) -> None:
    before, after = versions
    expected = [*STARTUP_ORDER, "ping", *SHUTDOWN_ORDER]
    assert _serve(before, set()) == (expected, None)
    assert _serve(after, set()) == (expected, None)


def test_a_failing_startup_handler_aborts_startup_the_same_way(versions: tuple[ModuleType, ModuleType]) -> None:
    before, after = versions
    expected = (["open_database", "warm_cache"], "warm_cache failed")
    assert _serve(before, {"warm_cache"}) == expected
    assert _serve(after, {"warm_cache"}) == expected


def test_a_failing_shutdown_handler_stops_the_rest_the_same_way(versions: tuple[ModuleType, ModuleType]) -> None:
    before, after = versions
    expected = ([*STARTUP_ORDER, "ping", "stop_scheduler"], "stop_scheduler failed")
    assert _serve(before, {"stop_scheduler"}) == expected
    assert _serve(after, {"stop_scheduler"}) == expected


def test_the_rewritten_app_uses_no_deprecated_api(versions: tuple[ModuleType, ModuleType]) -> None:
    _before, after = versions
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert _serve(after, set()) == ([*STARTUP_ORDER, "ping", *SHUTDOWN_ORDER], None)
