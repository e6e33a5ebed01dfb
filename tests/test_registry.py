"""Every transform is registered, documented and tested: a module, a fixture folder,
a README section and a place in the run order, all under one name."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from libcst.codemod import CodemodContext

import fastapi_codemods.analysis as analysis_package
import fastapi_codemods.audit as audit_package
from fastapi_codemods.codemods import (
    ANALYSIS_MODULES,
    ORDER,
    chosen_names,
    discovered_names,
    file_passes_of,
    load,
    options_of,
)
from fastapi_codemods.engine.fileinfo import FileInfo

REPO = Path(__file__).resolve().parent.parent


def test_order_lists_exactly_the_transform_modules() -> None:
    assert sorted(ORDER) == sorted(discovered_names())


@pytest.mark.parametrize("name", ORDER)
def test_transform_is_documented_and_tested(name: str) -> None:
    transform = load(name)
    assert transform.NAME == name
    assert transform.DESCRIPTION, "module docstring must open with a one-line description"
    fixtures = REPO / "tests" / "fixtures" / name
    assert fixtures.is_dir() and any(fixtures.iterdir())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"### `{name}`" in readme


def test_chosen_names_reject_unknown_names_listing_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid names: " + ORDER[0]):
        chosen_names(["no_such_transform"], None)


def test_chosen_names_keep_the_run_order() -> None:
    assert chosen_names(list(reversed(ORDER)), None) == list(ORDER)
    assert chosen_names(None, [ORDER[0]]) == list(ORDER[1:])


@pytest.mark.parametrize("name", ORDER)
def test_options_and_passes_are_declared_where_the_driver_reads_them(name: str) -> None:
    """The class refers to the declarations in its analysis module: one definition,
    read by the driver before libcst is imported."""
    transform = load(name)
    if transform.OPTIONS or transform.FILE_PASSES:
        assert name in ANALYSIS_MODULES, f"{name} declares options or passes: list its analysis module"
    assert options_of(name) is transform.OPTIONS
    assert file_passes_of(name) is transform.FILE_PASSES


def test_the_driver_and_the_analysis_import_without_libcst() -> None:
    """What runs before the analysis workers start imports no libcst: its import is
    the 0.6 s the workers use to read the project. The whole ``analysis`` package is
    stdlib ``ast`` only, so the audit checks can use any of it as cheaply; the
    ``audit`` package itself never imports libcst either."""
    analysis = [f"fastapi_codemods.analysis.{info.name}" for info in pkgutil.iter_modules(analysis_package.__path__)]
    audit = [info.name for info in pkgutil.walk_packages(audit_package.__path__, "fastapi_codemods.audit.")]
    modules = ["fastapi_codemods.cli", "fastapi_codemods.engine.driver", *ANALYSIS_MODULES.values(), *analysis,
               "fastapi_codemods.audit", *audit]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'libcst'))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"



@pytest.mark.parametrize("name", ORDER)
def test_transform_uses_no_matcher_decorators_or_attribute_hooks(name: str) -> None:
    """`Transform` dispatches visits itself, skipping libcst's matcher checks and
    per-attribute hooks: a transform relying on either would silently not run it."""
    transform = load(name)(CodemodContext(), FileInfo(path="m.py", relpath="m.py"))
    assert not transform._extra_visit_funcs and not transform._extra_leave_funcs
    assert not transform._matchers
    attribute_hooks = [
        attribute
        for attribute in dir(type(transform))
        if attribute.startswith(("visit_", "leave_"))
        and attribute.count("_") >= 2
        and getattr(type(transform), attribute) is not getattr(libcst.CSTTransformer, attribute, None)
    ]
    assert attribute_hooks == []
