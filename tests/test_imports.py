"""The tidy pass that moves imports added by AddImportsVisitor to isort's place.

Each case runs a one-line transform through `Transform.transform_module` (the
shared mechanism every transform uses) and checks the exact text.
"""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from fastapi_codemods.cst.transform import Transform
from fastapi_codemods.engine.fileinfo import FileInfo


class _Adds(Transform):
    NAME = "adds"

    def __init__(self, context: CodemodContext, file: FileInfo, wanted: list[tuple[str, str | None]]) -> None:
        super().__init__(context, file)
        self.wanted = wanted

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        for module, name in self.wanted:
            AddImportsVisitor.add_needed_import(self.context, module, name)
        return updated_node


def _add(source: str, *wanted: tuple[str, str | None], relpath: str = "app/api/items.py") -> str:
    file = FileInfo(relpath, relpath)
    context = CodemodContext(filename=relpath, full_module_name=file.module)
    return _Adds(context, file, list(wanted)).transform_module(cst.parse_module(source)).code


def _twice(source: str, *wanted: tuple[str, str | None], relpath: str = "app/api/items.py") -> str:
    once = _add(source, *wanted, relpath=relpath)
    assert _add(once, *wanted, relpath=relpath) == once
    return once


# -- a name added to an existing from-import -----------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "from fastapi import APIRouter, Depends, HTTPException, Query, status\n",
            "from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, status\n",
        ),
        # isort's order_by_type: CONSTANTS, Classes, functions.
        (
            "from fastapi import HTTP_X, Depends, status\n",
            "from fastapi import HTTP_X, BackgroundTasks, Depends, status\n",
        ),
        # Plain case-sensitive order.
        ("from fastapi import Depends, Zed, abc\n", "from fastapi import BackgroundTasks, Depends, Zed, abc\n"),
        ("from fastapi import Depends, APIRouter\n", "from fastapi import Depends, APIRouter, BackgroundTasks\n"),
        ("from fastapi import status\n", "from fastapi import BackgroundTasks, status\n"),
        ("from fastapi import Depends\n", "from fastapi import BackgroundTasks, Depends\n"),
        ("from fastapi import APIRouter\n", "from fastapi import APIRouter, BackgroundTasks\n"),
    ],
    ids=["sorted", "order_by_type", "case_sensitive", "unsorted_goes_last", "before_function", "first", "last"],
)
def test_name_added_to_from_import(before: str, after: str) -> None:
    assert _twice(before, ("fastapi", "BackgroundTasks")) == after


def test_name_added_to_parenthesized_import_keeps_one_per_line() -> None:
    source = "from fastapi import (\n    APIRouter,\n    Depends,  # auth\n    status,\n)\n"
    assert _twice(source, ("fastapi", "BackgroundTasks")) == (
        "from fastapi import (\n    APIRouter,\n    BackgroundTasks,\n    Depends,  # auth\n    status,\n)\n"
    )
    last = "from fastapi import (\n    APIRouter,\n    Depends,\n)\n"
    assert _twice(last, ("fastapi", "Security")) == (
        "from fastapi import (\n    APIRouter,\n    Depends,\n    Security,\n)\n"
    )
    commented = "from fastapi import (\n    APIRouter,\n    Depends,  # auth\n)\n"
    assert _twice(commented, ("fastapi", "Security")) == (
        "from fastapi import (\n    APIRouter,\n    Depends,  # auth\n    Security,\n)\n"
    )
    no_trailing_comma = "from fastapi import (\n    APIRouter,\n    Depends\n)\n"
    assert _twice(no_trailing_comma, ("fastapi", "Security")) == (
        "from fastapi import (\n    APIRouter,\n    Depends,\n    Security\n)\n"
    )
    first = "from fastapi import (\n    Depends,\n    FastAPI,\n)\n"
    assert _twice(first, ("fastapi", "BackgroundTasks")) == (
        "from fastapi import (\n    BackgroundTasks,\n    Depends,\n    FastAPI,\n)\n"
    )


# -- new statements -------------------------------------------------------------


def test_stdlib_import_joins_stdlib_group_before_from_imports() -> None:
    source = '"""Doc."""\n\nimport os\nimport sys\nfrom pathlib import Path\n\nfrom fastapi import FastAPI\n\nfrom app.core import settings\n'
    assert _twice(source, ("logging", None), ("contextlib", "suppress")) == (
        '"""Doc."""\n\nimport logging\nimport os\nimport sys\nfrom contextlib import suppress\nfrom pathlib import Path\n'
        "\nfrom fastapi import FastAPI\n\nfrom app.core import settings\n"
    )


def test_stdlib_section_created_above_third_party() -> None:
    source = '"""Doc."""\n\n# web\nimport fastapi\nfrom pydantic import BaseModel\n\nx = 1\n'
    assert _twice(source, ("logging", None)) == (
        '"""Doc."""\n\nimport logging\n\n# web\nimport fastapi\nfrom pydantic import BaseModel\n\nx = 1\n'
    )


def test_first_party_section_created_below_third_party() -> None:
    source = "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    assert _twice(source, ("app.core.logging_config", "setup_logging")) == (
        "import os\n\nfrom fastapi import FastAPI\n\nfrom app.core.logging_config import setup_logging\n\napp = FastAPI()\n"
    )


def test_first_party_known_from_the_files_own_groups() -> None:
    source = "from fastapi import FastAPI\n\nfrom shop.db import engine\n"
    assert _twice(source, ("shop.core", "settings"), relpath="main.py") == (
        "from fastapi import FastAPI\n\nfrom shop.core import settings\nfrom shop.db import engine\n"
    )


def test_relative_import_section_comes_last() -> None:
    source = "import os\n\nfrom . import models\n"
    assert (
        _twice(source, ("fastapi", "FastAPI")) == "import os\n\nfrom fastapi import FastAPI\n\nfrom . import models\n"
    )


def test_docstring_and_future_only() -> None:
    source = '"""Doc."""\n\nfrom __future__ import annotations\n\nX = 1\n'
    assert _twice(source, ("logging", None)) == (
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport logging\n\nX = 1\n'
    )


def test_module_without_imports_keeps_libcst_placement() -> None:
    assert _twice("X = 1\n", ("logging", None)) == "import logging\n\nX = 1\n"


def test_crlf_kept() -> None:
    source = "import sys\r\n\r\nfrom fastapi import Depends, status\r\n\r\nX = 1\r\n"
    assert _twice(source, ("logging", None), ("fastapi", "FastAPI")) == (
        "import logging\r\nimport sys\r\n\r\nfrom fastapi import Depends, FastAPI, status\r\n\r\nX = 1\r\n"
    )


def test_comments_stay_with_their_statements() -> None:
    source = "import os  # env\n# the clock\nimport time\n\nX = 1\n"
    assert _twice(source, ("sys", None)) == "import os  # env\nimport sys\n# the clock\nimport time\n\nX = 1\n"


def test_try_except_import_block_keeps_libcst_placement() -> None:
    source = "import os\n\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n\nX = 1\n"
    assert _twice(source, ("logging", None)) == (
        "import os\nimport logging\n\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n\nX = 1\n"
    )


def test_interleaved_sections_keep_libcst_placement() -> None:
    source = "from fastapi import FastAPI\nimport os\n\nX = 1\n"
    assert _twice(source, ("logging", None)) == "from fastapi import FastAPI\nimport os\nimport logging\n\nX = 1\n"


def test_existing_imports_never_reordered() -> None:
    source = "import sys\nimport os\n\nfrom fastapi import FastAPI\n"
    assert _twice(source, ("logging", None)) == "import logging\nimport sys\nimport os\n\nfrom fastapi import FastAPI\n"


def test_an_import_is_added_to_a_module_indented_with_form_feeds() -> None:
    """libcst detects the indent "\\f\\t" and then refuses it in its own parser config."""
    source = "import sys\n\n\ndef f():\n\x0c\tpass\n"
    assert cst.parse_module(source).default_indent == "\x0c\t"
    assert _twice(source, ("logging", None)) == "import logging\nimport sys\n\n\ndef f():\n\x0c\tpass\n"
