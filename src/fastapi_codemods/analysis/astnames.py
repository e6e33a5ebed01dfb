"""Resolving names in stdlib ``ast`` trees, for the fast read-only project pass.

The counterpart of libcst's ``QualifiedNameProvider`` at a fraction of the cost:
``from fastapi import FastAPI as F`` makes ``F`` mean ``fastapi.FastAPI``;
``import fastapi as fa`` makes ``fa.FastAPI`` mean the same. Module-level bindings
only; a later local rebinding of an imported name makes it unresolved.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES, ROUTER_CLASSES


class ImportMap:
    """Local name -> qualified name, from a module's top-level imports."""

    def __init__(self, tree: ast.Module, package: str = "", nested: bool = False) -> None:
        """``nested`` also takes imports inside functions, classes and blocks: an
        over-approximation for questions where a false "yes" is the safe answer."""
        self.package = package
        self.names: dict[str, str] = {}
        rebound: set[str] = set()
        extra = nodes_of(tree, ast.Import, ast.ImportFrom) if nested else []
        for node in [*tree.body, *extra]:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for name in _bound_names(node):
                    rebound.add(name)
        for name in rebound:
            self.names.pop(name, None)

    def _absolute(self, node: ast.ImportFrom) -> str:
        return absolute_module(node, self.package)

    def qualified(self, node: ast.AST) -> str | None:
        """``a.b.c`` resolved through the imports, or None for anything else."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.names:
            return None
        return ".".join([self.names[node.id], *reversed(parts)])


def import_bindings(tree: ast.Module, package: str) -> dict[str, set[str]]:
    """Local name -> every qualified name an import anywhere in the module binds it to.

    Unlike `ImportMap`, an over-approximation: imports inside functions and blocks
    count, and a name imported twice keeps both meanings.
    """
    bindings: dict[str, set[str]] = {}
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                bindings.setdefault(name, set()).add(alias.name if alias.asname else name)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            for alias in node.names:
                if alias.name != "*":
                    qualified = f"{base}.{alias.name}" if base else alias.name
                    bindings.setdefault(alias.asname or alias.name, set()).add(qualified)
    return bindings


def absolute_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute module name a ``from ... import`` reads, relative to ``package``."""
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    base = parts[: max(len(parts) - node.level + 1, 0)]
    if node.module:
        base.append(node.module)
    return ".".join(base)


def _bound_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Name):  # the common case, without a walk
            yield target.id
            continue
        for sub in walk(target):
            if isinstance(sub, ast.Name):
                yield sub.id


def app_constructions(tree: ast.Module, imports: ImportMap) -> list[ast.Call]:
    """Every ``FastAPI(...)`` call in the module, under any alias."""
    return [
        node
        for node in nodes_of(tree, ast.Call)
        if imports.qualified(node.func) in APP_CLASSES
    ]


def router_and_app_names(tree: ast.Module, imports: ImportMap) -> list[str]:
    """Module-level names bound to ``FastAPI(...)`` or ``APIRouter(...)``, under any alias."""
    classes = APP_CLASSES | ROUTER_CLASSES
    names = []
    for node in tree.body:
        if (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and isinstance(node.value, ast.Call)
            and imports.qualified(node.value.func) in classes
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(target.id for target in targets if isinstance(target, ast.Name))
    return names
