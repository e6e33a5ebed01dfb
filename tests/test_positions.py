"""The metadata `Transform` computes itself (parents, positions, expression
contexts) answers exactly as libcst's providers."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from fastapi_codemods.cst.expression_context import expression_contexts, prime_expression_contexts
from fastapi_codemods.cst.parent_map import parent_map
from fastapi_codemods.cst.positions import StatementPositions

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.input.py")) + sorted((Path(__file__).parent.parent / "src").rglob("*.py"))
CORNER_CASES = {
    "no_trailing_newline": "import os\n\n\ndef f():\n    return os.sep",
    "header_comments_and_blank_lines": "#!/usr/bin/env python\n# comment\n\n\nx = 1\n\n\n# before\nclass A:\n    y = 2\n",
    "crlf": "x = 1\r\nif x:\r\n    print(x)\r\n",
    "semicolons_and_continuations": "a = 1; b = (\n    2,\n)\nc = \\\n    3\n",
    "only_comments": "# nothing here\n",
    "empty": "",
    "targets": "a, *b = c\n[d, e] = f\n(g) = h\ni.j, k[l] = m\nn[o:p, q] = r\ns += 1\nt: int = u\nv: w\n",
    "walrus_and_comprehensions": "x = [y for y, z in w if (q := y) for r in z]\ns = {k: v async for k, v in g}\n",
    "del_and_global": "def f():\n    global a\n    del a, b[c], d.e\n",
    "imports": "import a.b as c, d\nfrom .e import f as g, h\nfrom i import *\n",
    "with_except_for": (
        "async def f():\n    with a as (b, c), d as e[0]:\n        pass\n"
        "    async for x, *y in z:\n        pass\n    else:\n        pass\n"
        "    try:\n        pass\n    except E as err:\n        pass\n"
    ),
    "definitions": (
        "@dec(a=b)\nclass C(Base, metaclass=M):\n    x: int = 1\n\n"
        "    def m(self, p: T = d, *args: A, q=e, **kw) -> R:\n        return lambda z=y, *w: z\n"
    ),
    "type_parameters": "def f[T: int](x: T) -> T:\n    return x\n\n\nclass G[U]:\n    pass\n\n\ntype V[W] = list[W]\n",
    "match": "match p:\n    case {'k': v, **rest}:\n        pass\n    case [a, *others] | Point(x=a) as b:\n        pass\n",
    "strings_and_calls": "f'{a!r:{b}}'\nc(d, *e, g=h, **i)\nj = k if l else m\n",
}


def _all_sources() -> list[tuple[str, str]]:
    sources = [(path.name, path.read_text(encoding="utf-8")) for path in SOURCES]
    return sources + sorted(CORNER_CASES.items())


@pytest.mark.parametrize(("name", "code"), _all_sources(), ids=[name for name, _ in _all_sources()])
def test_parents_positions_and_contexts_match_libcst(name: str, code: str) -> None:
    module = cst.parse_module(code)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected_parents = wrapper.resolve(ParentNodeProvider)
    expected_positions = wrapper.resolve(PositionProvider)
    assert expression_contexts(module) == dict(wrapper.resolve(ExpressionContextProvider))

    parents = parent_map(module)
    assert dict(parents) == dict(expected_parents)

    positions = StatementPositions(module, parents)
    for node, span in expected_positions.items():
        assert positions[node] == span, f"{name}: {type(node).__name__}"


def test_positions_of_a_node_outside_the_tree_are_missing() -> None:
    module = cst.parse_module("x = 1\n")
    positions = StatementPositions(module, parent_map(module))
    assert positions.get(cst.Name("x")) is None


def test_the_scope_analysis_uses_the_primed_table_and_gives_the_same_scopes() -> None:
    code = CORNER_CASES["definitions"] + CORNER_CASES["targets"]
    module = cst.parse_module(code)
    plain = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    primed_wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    prime_expression_contexts(primed_wrapper)
    table = primed_wrapper._metadata[ExpressionContextProvider]
    primed = primed_wrapper.resolve(ScopeProvider)
    assert primed_wrapper._metadata[ExpressionContextProvider] is table
    assert primed.keys() == plain.keys()
    for node, scope in plain.items():
        other = primed[node]
        assert type(other) is type(scope)
        if scope is not None:
            assert sorted(scope.assignments._assignments) == sorted(other.assignments._assignments)
            assert {(a.node, len(a.referents)) for a in scope.accesses} == {
                (a.node, len(a.referents)) for a in other.accesses
            }
