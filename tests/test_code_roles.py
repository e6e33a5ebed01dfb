"""Test code and documentation are not the application: no transform rewrites them
by default, the summary counts them, and a project's own suite passes after a run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from fastapi_codemods.analysis.code_roles import not_application
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.discovery import iter_python_files
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.report import print_outcome
from fastapi_codemods.engine.results import Status

SUITE = REPO / "tests" / "projects" / "own_apps_suite"
APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _roles(root: Path) -> dict[str, str]:
    files = [(path, FileInfo(path=path.relative_to(root).as_posix(), relpath=path.relative_to(root).as_posix()))
             for path in iter_python_files(root, [])]
    return not_application(Project(root, files))


def test_tests_helpers_and_docs_are_told_apart_from_the_app(tmp_path: Path) -> None:
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": APP + "from app import routes, services\n",
        "app/routes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "app/services.py": "def total() -> int:\n    return 1\n",
        "tests/test_main.py": "from app.main import app\nfrom app.services import total\nimport fakes\n",
        "tests/conftest.py": "",
        "test_alone.py": "",
        "app/checks_test.py": "",
        "fakes.py": "def fake_user() -> dict:\n    return {}\n",
        "docs_src/tutorial.py": APP,
        "docs/snippet.py": APP,
        "examples/demo.py": APP,
    })
    assert _roles(tmp_path) == {
        "tests/test_main.py": "test file",
        "tests/conftest.py": "test file",
        "test_alone.py": "test file",
        "app/checks_test.py": "test file",
        "fakes.py": "test helper",
        "docs_src/tutorial.py": "documentation snippet",
        "docs/snippet.py": "documentation snippet",
    }


def test_an_entry_module_only_tests_import_is_the_application(tmp_path: Path) -> None:
    _write(tmp_path, {"main.py": APP, "tests/test_main.py": "from main import app\n"})
    assert _roles(tmp_path) == {"tests/test_main.py": "test file"}


def test_examples_are_documentation_in_a_library_and_the_app_in_an_application(tmp_path: Path) -> None:
    library = tmp_path / "library"
    _write(library, {"mylib/__init__.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
                     "examples/app.py": APP})
    assert _roles(library) == {"examples/app.py": "documentation snippet"}
    application = tmp_path / "application"
    _write(application, {"service/main.py": APP, "examples/app.py": APP})
    assert _roles(application) == {}


def test_a_helper_module_imported_only_by_tests_is_test_code(tmp_path: Path) -> None:
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": APP + "from app import services\n",
        "app/services.py": "def total() -> int:\n    return 1\n",
        "app/fixtures.py": "def fake_user() -> dict:\n    return {}\n",
        "tests/test_main.py": "from app.main import app\nfrom app.fixtures import fake_user\n",
    })
    assert _roles(tmp_path) == {"tests/test_main.py": "test file", "app/fixtures.py": "test helper"}


def _check(root: Path, **options) -> dict[str, Status]:
    outcome = run(RunOptions(paths=[root], mode=Mode.CHECK, jobs=1, **options))
    return {result.path: result.status for result in outcome.results}


@pytest.mark.parametrize(
    ("pyproject", "tests_rewritten"),
    [
        ("", False),
        ("[tool.fastapi-codemods]\ninclude-tests = true\n", True),
        ("[tool.fastapi-codemods.conditional_docs]\ninclude-tests = true\n", True),
        ("[tool.fastapi-codemods.print_to_logging]\ninclude-tests = true\n", False),
    ],
)
def test_include_tests_turns_rewriting_test_code_on_globally_or_per_transform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyproject: str, tests_rewritten: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"app/main.py": APP, "tests/test_docs.py": APP, "pyproject.toml": pyproject})
    statuses = _check(Path("."), only=["conditional_docs"])
    assert statuses["app/main.py"] is Status.CHANGED
    assert statuses["tests/test_docs.py"] is (Status.CHANGED if tests_rewritten else Status.UNCHANGED)


def test_the_summary_says_what_was_left_alone_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "app/main.py": APP,
        "tests/test_main.py": "from app.main import app\nprint(app)\n",
        "tests/conftest.py": "",
        "tools/seed.py": "import argparse\n\nprint('seeding')\nprint('done')\n",
    })
    outcome = run(RunOptions(paths=[Path(".")], mode=Mode.CHECK, jobs=1))
    print_outcome(outcome, color=False)
    err = capsys.readouterr().err.splitlines()
    assert "left alone, not application code: 2 test files (include-tests = true rewrites them)" in err
    assert any(line.startswith("print_to_logging: kept 2 prints in 1 place run from a command-line program ")
               for line in err)
    assert outcome.roots[0].left_alone == (("test file", 2),)


def test_a_file_no_transform_reads_that_does_not_parse_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"app/main.py": APP, "app/legacy.py": "def broken(:\n    return 1\n"})
    completed = run_cli("run", "--check", "--no-progress", "--only", "conditional_docs", "--report", "r.json", ".",
                        cwd=tmp_path)
    err = completed.stderr.decode()
    assert "warning: app/legacy.py: syntax error at line 1: " in err
    assert completed.returncode == 1  # app/main.py would change; the warning leaves the code alone
    files = {entry["path"]: entry for entry in json.loads((tmp_path / "r.json").read_text())["files"]}
    assert files["app/legacy.py"]["status"] == "unchanged" and files["app/legacy.py"]["warning"].startswith("syntax")


def test_a_file_a_prefilter_matches_that_does_not_parse_stays_an_error(tmp_path: Path) -> None:
    _write(tmp_path, {"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI(\n"})
    completed = run_cli("run", "--check", "--no-progress", "--only", "conditional_docs", ".", cwd=tmp_path)
    assert completed.returncode == 2
    assert "error: app/main.py: syntax error at line 3" in completed.stderr.decode()


def _pytest(project: Path) -> tuple[int, str]:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
    )
    passed = re.search(r"(\d+) passed", completed.stdout)
    return completed.returncode, passed.group(0) if passed else completed.stdout[-2000:]


def test_a_project_suite_that_builds_its_own_apps_passes_after_a_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SUITE, project)
    before = _pytest(project)
    assert before == (0, "3 passed")
    originals = {path: path.read_bytes() for path in project.rglob("*.py")}
    completed = run_cli("run", "--no-progress", "--allow-dirty", ".", cwd=project)
    assert completed.returncode in (0, 1), completed.stderr.decode()
    changed = sorted(path.relative_to(project).as_posix() for path, data in originals.items() if path.read_bytes() != data)
    assert changed == ["app/main.py"]
    main = (project / "app" / "main.py").read_text(encoding="utf-8")
    assert "docs_url=" in main and "logger.info(" in main
    assert _pytest(project) == before


def test_a_suite_requesting_the_real_apps_docs_still_passes_after_a_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SUITE, project)
    (project / "tests" / "test_docs.py").write_text(
        "from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\n"
        "def test_docs_are_served() -> None:\n    assert TestClient(app).get('/docs').status_code == 200\n",
        encoding="utf-8",
    )
    before = _pytest(project)
    assert before == (0, "4 passed")
    completed = run_cli("run", "--no-progress", "--allow-dirty", ".", cwd=project)
    assert "not rewritten: tests/test_docs.py:7 requests /docs from this app" in completed.stderr.decode()
    main = (project / "app" / "main.py").read_text(encoding="utf-8")
    assert "docs_url" not in main and "logger.info(" in main
    assert _pytest(project) == before
