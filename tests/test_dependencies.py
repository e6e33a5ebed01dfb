"""Runtime dependency declarations, as read for the python-json-logger decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_codemods.analysis.dependencies import declared_specs, runtime_declarations
from fastapi_codemods.analysis.logging_plan import _can_use_jsonlogger
from fastapi_codemods.analysis.project import Project


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root = tmp_path / "backend"
    root.mkdir(exist_ok=True)
    return Project(root, [])


@pytest.mark.parametrize(
    ("files", "specs", "usable"),
    [
        (
            {
                "pyproject.toml": "[project]\ndependencies = [\"Python_JSON.Logger[x]>=3.1; python_version>'3.8'\"]\n"
            },
            [">=3.1"],
            True,
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npython-json-logger = "^2.0.7"\n'},
            [">=2.0.7,<3"],
            False,
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npython-json-logger = {version = "^3.2"}\n'},
            [">=3.2,<4"],
            True,
        ),
        ({"Pipfile": '[packages]\npython-json-logger = "*"\n'}, [""], True),
        (
            {"setup.cfg": "[options]\ninstall_requires =\n    fastapi\n    python-json-logger>=3.3\n"},
            [">=3.3"],
            True,
        ),
        (
            {
                "setup.py": 'from setuptools import setup\nsetup(install_requires=["python-json-logger==3.0.1"])\n'
            },
            ["==3.0.1"],
            False,
        ),
        ({"requirements/base.txt": "python-json-logger\n"}, [""], True),
        (
            {"requirements-dev.txt": "python-json-logger\n", "requirements/test.txt": "python-json-logger\n"},
            None,
            False,
        ),
        ({"pyproject.toml": '[project.optional-dependencies]\njson = ["python-json-logger"]\n'}, None, False),
    ],
)
def test_runtime_declarations(
    tmp_path: Path, files: dict[str, str], specs: list[str] | None, usable: bool
) -> None:
    project = _project(tmp_path, files)
    assert declared_specs(project, "python-json-logger") == specs
    assert _can_use_jsonlogger(project) is usable


def test_the_nearest_declaring_folder_wins(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"requirements.txt": "python-json-logger\n", "backend/requirements.txt": "fastapi\n"}
    )
    assert declared_specs(project, "python-json-logger") is None


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"requirements.txt": "# pinned\nfastapi==0.110\nuvicorn[standard]==0.30  # server\n"},
         ("requirements.txt", 3, frozenset({"standard"}))),
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "fastapi",\n'
                            '  "uvicorn[standard]>=0.30",\n]\n'},
         ("pyproject.toml", 5, frozenset({"standard"}))),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'
                            'uvicorn = {extras = ["standard"], version = "^0.30"}\n'},
         ("pyproject.toml", 3, frozenset({"standard"}))),
        ({"setup.cfg": "[options]\ninstall_requires =\n    fastapi\n    uvicorn>=0.30\n"},
         ("setup.cfg", 4, frozenset())),
        ({"setup.py": 'from setuptools import setup\nsetup(\n    install_requires=[\n'
                      '        "uvicorn",\n    ],\n)\n'},
         ("setup.py", 4, frozenset())),
        ({"x-1.0.dist-info/METADATA": "Name: x\nRequires-Dist: uvicorn ; extra == 'serve'\n"
                                      "Requires-Dist: uvicorn>=0.30\n"},
         ("x-1.0.dist-info/METADATA", 3, frozenset())),
    ],
)
def test_declarations_say_where_they_are(tmp_path: Path, files: dict[str, str], where: tuple) -> None:
    project = _project(tmp_path, {f"backend/{name}": text for name, text in files.items()})
    found = [item for item in runtime_declarations(project) if item.normalized == "uvicorn"]
    backend = tmp_path / "backend"
    assert [(item.path.relative_to(backend).as_posix(), item.line, item.extras) for item in found] == [where]
