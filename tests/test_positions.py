"""The lazily computed metadata of `Transform` answers exactly as libcst's providers."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from fastapi_codemods.codemods._parent_map import parent_map
from fastapi_codemods.codemods._positions import StatementPositions

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.input.py")) + [
    Path(__file__).parent.parent / "src" / "fastapi_codemods" / "pipeline.py",
]
CORNER_CASES = {
    "no_trailing_newline": "import os\n\n\ndef f():\n    return os.sep",
    "header_comments_and_blank_lines": "#!/usr/bin/env python\n# comment\n\n\nx = 1\n\n\n# before\nclass A:\n    y = 2\n",
    "crlf": "x = 1\r\nif x:\r\n    print(x)\r\n",
    "semicolons_and_continuations": "a = 1; b = (\n    2,\n)\nc = \\\n    3\n",
    "only_comments": "# nothing here\n",
    "empty": "",
}


def _all_sources() -> list[tuple[str, str]]:
    sources = [(path.name, path.read_text(encoding="utf-8")) for path in SOURCES]
    return sources + sorted(CORNER_CASES.items())


@pytest.mark.parametrize(("name", "code"), _all_sources(), ids=[name for name, _ in _all_sources()])
def test_parents_and_positions_match_libcst(name: str, code: str) -> None:
    module = cst.parse_module(code)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected_parents = wrapper.resolve(ParentNodeProvider)
    expected_positions = wrapper.resolve(PositionProvider)

    parents = parent_map(module)
    assert dict(parents) == dict(expected_parents)

    positions = StatementPositions(module, parents)
    for node, span in expected_positions.items():
        assert positions[node] == span, f"{name}: {type(node).__name__}"


def test_positions_of_a_node_outside_the_tree_are_missing() -> None:
    module = cst.parse_module("x = 1\n")
    positions = StatementPositions(module, parent_map(module))
    assert positions.get(cst.Name("x")) is None
