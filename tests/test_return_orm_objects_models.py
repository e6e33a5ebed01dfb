"""The model index behind ``return_orm_objects``: what it reads from a project's models."""

from __future__ import annotations

import pickle
from pathlib import Path

from fastapi_codemods.analysis.models import build_index
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo


def index_of(tmp_path: Path, files: dict[str, str]):
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    entries = [
        (p, FileInfo(p.relative_to(tmp_path).as_posix(), p.relative_to(tmp_path).as_posix()))
        for p in sorted(tmp_path.rglob("*.py"))
    ]
    return build_index(Project(tmp_path, entries))


def test_fields_config_and_reexports_across_modules(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/schemas/__init__.py": "from .out import Out\n",
            "app/schemas/base.py": (
                "from typing import ClassVar\n"
                "from pydantic import BaseModel, ConfigDict\n\n"
                "class A(BaseModel):\n"
                "    model_config = ConfigDict(populate_by_name=False)\n"
                "    a: int\n"
                "    _cache: dict = {}\n"
                "    kind: ClassVar[str] = 'a'\n\n"
                "class B(BaseModel):\n"
                "    model_config = ConfigDict(populate_by_name=True, from_attributes=True)\n"
                "    b: int = 0\n"
            ),
            # No "pydantic" in this file: found as a subclass of a model found before.
            "app/schemas/out.py": "from app.schemas.base import A, B\n\nclass Out(A, B):\n    c: str\n",
        },
    )
    model = index.model("app.schemas.Out")
    assert model is not None and model.problem is None
    assert set(model.fields) == {"a", "b", "c"}
    assert model.fields["b"].has_default and not model.fields["a"].has_default
    # Pydantic merges base configs in order: the later base B wins.
    assert model.is_true("populate_by_name", "from_attributes")
    assert model.version == "v2"
    assert pickle.loads(pickle.dumps(index)) == index


def test_unknown_bases_and_body_logic_are_problems(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/m.py": (
                "import os\n"
                "from pydantic import BaseModel\n"
                "from lib import LibModel\n\n"
                "class FromLib(LibModel):\n    x: int\n\n"
                "class Logic(BaseModel):\n"
                "    if os.environ.get('X'):\n"
                "        y: int\n"
                "    z = 3\n"
            ),
        },
    )
    assert "lib.LibModel" in index.model("app.m.FromLib").problem
    problem = index.model("app.m.Logic").problem
    assert "`If` statement" in problem and "without annotation" in problem
    # No v2-only API anywhere and no v1 import: the version cannot be told.
    assert index.model("app.m.Logic").version == "unknown"


def test_routers_defined_in_other_modules_are_known(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/routing.py": "from fastapi import APIRouter as R\n\nrouter = R()\n",
            "app/api/__init__.py": "from app.routing import router\n",
        },
    )
    assert index.is_router("app.routing.router")
    assert index.is_router("app.api.router")
