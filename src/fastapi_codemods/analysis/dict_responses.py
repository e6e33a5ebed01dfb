"""The files ``return_orm_objects`` can rewrite or report on, found with the stdlib ``ast``.

The transform looks only at functions with a route decorator carrying
``response_model=`` whose own ``return`` hands back a dict display, a ``dict(...)``
call or a list comprehension of one, built mostly from attribute reads (directly or
through a variable assigned such a value). This pass finds the same functions, with
every test loosened where the ``ast`` knows less than libcst's scope analysis: a
decorator ``@X.get(...)`` counts whatever X is, any non-``None`` response model
counts, a returned name counts when the module assigns it such a dict anywhere.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.analysis.candidates import Candidates
from fastapi_codemods.analysis.fastapi_names import ROUTE_METHODS
from fastapi_codemods.analysis.routes import routes as route_functions
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.models import MODEL_MODULES
from fastapi_codemods.engine.fileinfo import FileInfo

NEEDLE = "response_model"
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)


def has_candidate(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    return _has_candidate(tree, info.package)


CANDIDATES = FilePass("return_orm_objects.candidates", (NEEDLE,), has_candidate)

# The transform's declarations (`ReturnOrmObjects` refers to them), here so the driver
# reads them without importing libcst.
FILE_PASSES = (MODEL_MODULES, CANDIDATES)
OPTIONS: dict[str, object] = {}


def find_candidates(project: Any) -> Candidates:
    """Candidate files among those whose ``ast`` could be read (the others stay undecided)."""
    judged = {info.relpath: found for _, info, found in project.results(CANDIDATES, {})}
    wanted: set[str] = set()
    decided: set[str] = set()
    for path, info in project.files:
        text = project.text(path)
        if text is None:
            continue
        if NEEDLE not in text:
            decided.add(info.relpath)
        elif info.relpath in judged:
            decided.add(info.relpath)
            if judged[info.relpath]:
                wanted.add(info.relpath)
    return Candidates(frozenset(wanted), frozenset(decided))


def _has_candidate(tree: ast.Module, package: str) -> bool:
    return any(True for _ in candidate_returns(tree, package))


def candidate_returns(tree: ast.Module, package: str) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Return]]:
    """The routes' ``return`` statements the transform may rewrite or report on, with
    their route: the hand-built response dicts (what the audit shows as evidence)."""
    routes = [
        node
        for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)
        if any(map(_declares_model, node.decorator_list))
    ]
    if routes:  # only decorators of what may be a FastAPI app or router (`analysis.routes`)
        routed = route_functions(tree)
        routes = [route for route in routes if route in routed]
    if not routes:
        return
    dict_names = _dict_names(import_bindings(tree, package))
    built_names = _names_assigned_built_dicts(tree, dict_names)
    for route in routes:
        for ret in sorted(_own_returns(route), key=lambda node: (node.lineno, node.col_offset)):
            value = ret.value
            if value is None:
                continue
            if _built_from_attributes(value, dict_names) or isinstance(value, ast.Name) and value.id in built_names:
                yield route, ret


def _declares_model(decorator: ast.expr) -> bool:
    """``@X.get(..., response_model=M)`` with M other than ``None``."""
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.attr in ROUTE_METHODS
    ):
        return False
    return any(
        keyword.arg == NEEDLE and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
        for keyword in decorator.keywords
    )


def _own_returns(function: ast.AST) -> Iterator[ast.Return]:
    stack: list[ast.AST] = list(function.body)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        if not isinstance(node, NESTED_SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _dict_names(bindings: dict[str, set[str]]) -> frozenset[str]:
    """Local names that may mean the builtin ``dict``."""
    return frozenset({"dict"} | {name for name, targets in bindings.items() if "builtins.dict" in targets})


def _names_assigned_built_dicts(tree: ast.Module, dict_names: frozenset[str]) -> set[str]:
    """Names that ``name = {...}`` / ``name: T = {...}`` binds anywhere in the module."""
    names = set()
    for node in nodes_of(tree, ast.Assign, ast.AnnAssign):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and _built_from_attributes(value, dict_names):
            names.add(target.id)
    return names


def _built_from_attributes(expression: ast.expr, dict_names: frozenset[str]) -> bool:
    """The ``ast`` form of `ReturnOrmObjects.built_from_attributes`, ``dict`` resolved loosely."""
    if isinstance(expression, ast.ListComp):
        expression = expression.elt
    if isinstance(expression, ast.Dict):
        values = list(expression.values)
    elif isinstance(expression, ast.Call) and _may_be_dict(expression.func, dict_names):
        values = [*expression.args, *(keyword.value for keyword in expression.keywords)]
    else:
        return False
    reads = sum(_reads_attribute(value) for value in values)
    return reads > 0 and 2 * reads >= len(values)


def _may_be_dict(func: ast.expr, dict_names: frozenset[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in dict_names
    return isinstance(func, ast.Attribute) and func.attr == "dict"


def _reads_attribute(value: ast.expr) -> bool:
    """The ``ast`` form of ``return_orm_objects.reads_attribute``."""
    nodes = []
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if not isinstance(node, COMPREHENSIONS):
            stack.extend(ast.iter_child_nodes(node))
    methods = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    return any(
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and id(node) not in methods
        for node in nodes
    )
