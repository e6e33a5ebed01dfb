"""production_server's pieces that fixtures do not show byte by byte: dependency
edits in other line endings and shapes, and the generated gunicorn config itself."""

from __future__ import annotations

import runpy
from pathlib import Path

import black
import pytest

from fastapi_codemods.analysis.dependencies import Declaration
from fastapi_codemods.analysis.dependency_edits import Addition, EditRefused, edit
from fastapi_codemods.codemods.production_server._config import render

GUNICORN = Addition("gunicorn", spec=">=23")


def declared(name: str, line: int, path: str = "requirements.txt") -> Declaration:
    return Declaration(name, frozenset(), "", Path(path), line)


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("fastapi\r\nuvicorn==0.30.1\r\n", 2, "fastapi\r\nuvicorn[standard]==0.30.1\r\ngunicorn>=23\r\n"),
        ("fastapi\nuvicorn>=0.30", 2, "fastapi\nuvicorn[standard]>=0.30\ngunicorn>=23"),
        ("uvicorn[watch] == 0.30  # server\n", 1, "uvicorn[watch,standard] == 0.30  # server\ngunicorn>=23\n"),
        ("uvicorn; python_version >= '3.9'\n", 1, "uvicorn[standard]; python_version >= '3.9'\ngunicorn>=23\n"),
        ("uvicorn == 0.30.6\n", 1, "uvicorn[standard] == 0.30.6\ngunicorn>=23\n"),
    ],
    ids=["crlf", "no_final_newline", "extras_and_comment", "marker", "space_before_version"],
)
def test_requirements_edits_keep_the_file_style(text: str, line: int, expected: str) -> None:
    uvicorn = declared("uvicorn", line)
    assert edit(text, Path("requirements.txt"), uvicorn, uvicorn, [GUNICORN]) == expected


def test_a_capitalised_name_keeps_its_spelling() -> None:
    uvicorn = declared("Uvicorn", 1)
    assert edit("Uvicorn==0.30\n", Path("requirements.txt"), uvicorn, uvicorn, []) == "Uvicorn[standard]==0.30\n"


def test_pep621_keeps_the_space_before_the_version() -> None:
    """Seen on khoj: ``"uvicorn == 0.30.6"`` became ``"uvicorn[standard]== 0.30.6"``."""
    text = '[project]\nname = "x"\ndependencies = [\n    "uvicorn == 0.30.6",\n]\n'
    uvicorn = declared("uvicorn", 4, "pyproject.toml")
    assert edit(text, Path("pyproject.toml"), uvicorn, uvicorn, []) == text.replace("uvicorn ==", "uvicorn[standard] ==")


def test_pep621_crlf_and_trailing_comma() -> None:
    text = '[project]\r\nname = "x"\r\ndependencies = [\r\n    "fastapi",\r\n]\r\n'
    new = edit(text, Path("pyproject.toml"), declared("fastapi", 4, "pyproject.toml"), None, [GUNICORN])
    assert new == '[project]\r\nname = "x"\r\ndependencies = [\r\n    "fastapi",\r\n    "gunicorn>=23",\r\n]\r\n'


@pytest.mark.parametrize(
    ("text", "path", "line", "reason"),
    [
        ("fastapi \\\n    --hash=sha256:00\n", "requirements.txt", 1, "hash-pinned"),
        ("fastapi==1 \\\n", "requirements.txt", 1, "continues on the next one"),
        ('[tool.poetry.dependencies]\nfastapi = [\n  {version = "1", python = "<3.9"},\n]\n', "pyproject.toml", 2,
         "one version or one inline table"),
        ('[project.optional-dependencies]\nweb = [\n  "fastapi",\n]\n[project]\nname = "x"\n'
         'dependencies = [\n  "fastapi",\n]\n', "pyproject.toml", 3, "in [project] dependencies"),
        ("[packages]\nfastapi = '*'\n", "Pipfile", 2, "Pipfile is not a format"),
    ],
    ids=["hashes", "continuation", "poetry_constraints_array", "optional_dependencies_line", "pipfile"],
)
def test_refusals_say_why(text: str, path: str, line: int, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason.replace("[", r"\[").replace("]", r"\]")):
        edit(text, Path(path), declared("fastapi", line, path), None, [GUNICORN])


def test_the_gunicorn_config_is_black_stable_and_reads_the_environment(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    text = render("gunicorn -c gunicorn.conf.py app.main:app")
    assert black.format_str(text, mode=black.Mode()) == text
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("BIND", raising=False)
    settings = runpy.run_path(str(path))
    assert (settings["bind"], settings["workers"], settings["worker_class"], settings["accesslog"]) == (
        "0.0.0.0:9000", 3, "uvicorn_worker.UvicornWorker", "-")
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (60, 30, 5)


def test_a_start_command_above_the_root_is_the_one_changed(tmp_path: Path) -> None:
    """Run on ``backend/``, the Dockerfile at the git work tree's top starts the app:
    that command gets the workers, no gunicorn.conf.py nothing would use is written,
    and the summary names the file."""
    from conftest import git

    from fastapi_codemods.engine.driver import RunOptions, run

    (tmp_path / "backend" / "app").mkdir(parents=True)
    (tmp_path / "backend" / "app" / "__init__.py").write_text("")
    (tmp_path / "backend" / "app" / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "backend" / "requirements.txt").write_text("fastapi\nuvicorn[standard]\n")
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nWORKDIR /code\nCMD ["uvicorn", "app.main:app"]\n')
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-qm", "tree", cwd=tmp_path)
    outcome = run(RunOptions(paths=[tmp_path / "backend"], jobs=1, only=["production_server"]))
    assert (tmp_path / "Dockerfile").read_text().endswith('ENV WEB_CONCURRENCY=4\nCMD ["uvicorn", "app.main:app"]\n')
    assert not (tmp_path / "backend" / "gunicorn.conf.py").exists()
    kept = [line for root in outcome.roots for _name, line in root.kept]
    assert kept == ["../Dockerfile:3: the server command now starts several workers (ENV WEB_CONCURRENCY=4 before it, "
                    "which uvicorn reads; the host's own setting wins): size it to the machine"]


@pytest.mark.parametrize("case", ["procfile_gets_workers", "model_loading_noted", "lifespan_creates_tables"])
def test_the_startup_analysis_runs_once_per_plan(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """It ran twice (once for the blockers, once more for the model notes)."""
    from fastapi_codemods.analysis import server_plan
    from fastapi_codemods.analysis.project import Project
    from fastapi_codemods.engine.fileinfo import FileInfo

    root = Path(__file__).parent / "fixtures" / "production_server" / case / "input"
    calls = []
    real = server_plan.once_per_process

    def counted(*args: object) -> object:
        calls.append(args[1])
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(server_plan, "once_per_process", counted)
    files = [(path, FileInfo(path.relative_to(root).as_posix(), path.relative_to(root).as_posix()))
             for path in sorted(root.rglob("*.py"))]
    server_plan.plan(Project(root, files), {})
    assert len(calls) == 1
