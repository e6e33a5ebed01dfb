"""Every transform is registered, documented and tested: a module, a fixture folder,
a README section and a place in the run order, all under one name."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest
from libcst.codemod import CodemodContext

from fastapi_codemods.codemods import ORDER, discovered_names, load, select
from fastapi_codemods.fileinfo import FileInfo

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


def test_select_rejects_unknown_names_listing_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid names: " + ORDER[0]):
        select(["no_such_transform"], None)



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
