"""astindex answers as ``ast.walk`` does (expression contexts aside), once per module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fastapi_codemods.analysis.astindex import nodes_of, walk

SOURCES = sorted((Path(__file__).parent / "fixtures").rglob("*.input.py")) + sorted(
    (Path(__file__).parent.parent / "src" / "fastapi_codemods").rglob("*.py")
)


def _expected(node: ast.AST) -> list[ast.AST]:
    return [sub for sub in ast.walk(node) if not isinstance(sub, ast.expr_context)]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_walk_and_nodes_of_follow_ast_walk(path: Path) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        pytest.skip("newer syntax than this interpreter's (a fixture of files the analysis cannot read)")
    expected = _expected(tree)
    for _ in range(2):  # the second answer comes from the cache
        assert [id(node) for node in walk(tree)] == [id(node) for node in expected]
        for types in [
            (ast.Call,),
            (ast.Import, ast.ImportFrom),
            (ast.Module, ast.Name),
            (ast.Call, ast.Assign, ast.AugAssign),  # classes interleaved in walk order
            (ast.stmt,),  # an abstract class: every concrete statement class
            (ast.expr, ast.keyword),
            (ast.MatchAs,),  # absent from most modules
        ]:
            assert [id(n) for n in nodes_of(tree, *types)] == [id(n) for n in expected if isinstance(n, types)]
    function = next((node for node in expected if isinstance(node, ast.FunctionDef)), None)
    if function is not None:
        assert [id(node) for node in walk(function)] == [id(node) for node in _expected(function)]


def test_the_cache_does_not_keep_a_released_tree_alive() -> None:
    import gc
    import weakref

    tree = ast.parse("x = f(1)\n")
    nodes_of(tree, ast.Call)
    call = weakref.ref(nodes_of(tree, ast.Call)[0])
    gc.disable()
    try:
        del tree
        assert call() is None, "freed by reference counting, without the cyclic collector"
    finally:
        gc.enable()
