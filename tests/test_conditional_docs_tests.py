"""Which app a test requesting the docs is about (conditional_docs' project analysis).

The fixtures show the rewrite or the refusal; here the tracing itself, import by
import, and what counts as a test set-up turning the docs on.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from fastapi_codemods.analysis.docs_gates import analyze
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

APPS = {
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "app/admin.py": "from fastapi import FastAPI\n\nadmin = FastAPI()\n",
    "app/routes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
}
DOCS_TEST = "def test_docs(client):\n    assert client.get('/docs').status_code == 200\n"


def _requests(tmp_path: Path, files: dict[str, str]) -> dict[str, list[tuple[str, int, bool]]]:
    """app module -> (test relpath, line, traced) of the requests the analysis gives it."""
    entries = []
    for relpath, text in {**APPS, **files}.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        entries.append((path, FileInfo(relpath, relpath)))
    facts = analyze(Project(tmp_path, entries), {"flag": "", "flag_import": "", "env_var": "ENABLE_API_DOCS"})
    assert pickle.loads(pickle.dumps(facts)) == facts  # the facts reach worker processes
    return {
        module: sorted((r.path, r.line, r.traced) for r in requests)
        for module, requests in sorted(facts.app_requests.items())
    }


@pytest.mark.parametrize(
    "imports",
    [
        "from app.main import app\n",
        "import app.main\n",
        "from app import main\n",
        "from ..app.main import app\n",  # relative, from tests/ as a package
    ],
)
def test_a_test_importing_the_app_module_is_about_its_apps(tmp_path: Path, imports: str) -> None:
    found = _requests(tmp_path, {"tests/__init__.py": "", "tests/test_docs.py": imports + DOCS_TEST})
    assert found == {"app/main.py": [("tests/test_docs.py", 3, True)]}


def test_conftest_of_a_parent_folder_gives_the_app(tmp_path: Path) -> None:
    found = _requests(
        tmp_path,
        {
            "tests/conftest.py": "from app.admin import admin\n",
            "tests/api/conftest.py": "import os\n",
            "tests/api/test_docs.py": DOCS_TEST,
            "other/test_docs.py": DOCS_TEST,  # no conftest above it: not traced
        },
    )
    assert found == {
        "app/admin.py": [("other/test_docs.py", 2, False), ("tests/api/test_docs.py", 2, True)],
        "app/main.py": [("other/test_docs.py", 2, False)],
    }


def test_an_app_that_cannot_be_traced_means_every_app(tmp_path: Path) -> None:
    found = _requests(
        tmp_path,
        {
            "tests/test_docs.py": "from app.routes import router\n" + DOCS_TEST,
            # its own app, but built around the project's router: not only its own
            "tests/test_own.py": (
                "from fastapi import FastAPI\nfrom app.routes import router\n\n"
                "app = FastAPI()\napp.include_router(router)\n" + DOCS_TEST
            ),
        },
    )
    assert found == {
        "app/admin.py": [("tests/test_docs.py", 3, False), ("tests/test_own.py", 7, False)],
        "app/main.py": [("tests/test_docs.py", 3, False), ("tests/test_own.py", 7, False)],
        "tests/test_own.py": [("tests/test_own.py", 7, False)],
    }


def test_a_test_with_its_own_app_only_is_about_that_app(tmp_path: Path) -> None:
    own = "from fastapi import FastAPI\nfrom fastapi.testclient import TestClient\n\n\ndef test_docs():\n"
    own += "    assert TestClient(FastAPI()).get('/redoc').status_code == 200\n"
    found = _requests(tmp_path, {"tests/conftest.py": "from app.main import app\n", "tests/test_own.py": own})
    assert found == {"tests/test_own.py": [("tests/test_own.py", 6, True)]}


def test_requests_elsewhere_than_tests_are_not_read(tmp_path: Path) -> None:
    assert _requests(tmp_path, {"app/client.py": "import httpx\n\nhttpx.get('/docs')\n"}) == {}


def _kept(tmp_path: Path, files: dict[str, str]) -> tuple[tuple[str, str], ...]:
    entries = []
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        entries.append((path, FileInfo(relpath, relpath)))
    return analyze(Project(tmp_path, entries), {"flag": "", "flag_import": "", "env_var": "ENABLE_API_DOCS"}).kept


def test_a_librarys_examples_are_not_counted_as_kept(tmp_path: Path) -> None:
    """Seen on fastapi-users: its examples' apps were listed as kept for a test of the
    library's own app, though examples in a library's repository are documentation,
    never rewritten whatever the tests request."""
    files = {
        "mylib/__init__.py": "",
        "mylib/routers.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "examples/app/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "tests/test_openapi.py": "from mylib.routers import router\n" + DOCS_TEST,
    }
    assert _kept(tmp_path, files) == ()
    files["mylib/server.py"] = "from fastapi import FastAPI\n\nserver = FastAPI()\n"  # now an application's repository
    assert _kept(tmp_path / "app", files) == (
        ("examples/app/app.py", "tests/test_openapi.py:3"), ("mylib/server.py", "tests/test_openapi.py:3"))
