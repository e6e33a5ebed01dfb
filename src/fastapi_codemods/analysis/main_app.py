"""Which module builds the main FastAPI app of a root? (stdlib ``ast``)

Used by ``setup_logging`` to decide where logging is set up. Reads only.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.logging_config import NOT_APP_FOLDERS
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

MAIN_NAMES = frozenset({"main", "app", "application", "server", "asgi"})


@dataclass(frozen=True)
class OtherApp:
    """Another app, not mounted into one: flagged so a reviewer checks how it runs."""

    relpath: str
    construction: int


@dataclass
class Candidate:
    path: Path
    info: FileInfo
    tree: ast.Module
    calls: list[ast.Call]
    parents: dict[ast.AST, ast.AST]


def candidates(project: Project) -> Iterator[Candidate]:
    for path, info, tree in project.containing("FastAPI"):
        if info.is_test_file or NOT_APP_FOLDERS.intersection(PurePosixPath(info.relpath).parts[:-1]):
            continue
        imports = ImportMap(tree, info.package, nested=True)
        calls = sorted(app_constructions(tree, imports), key=lambda c: (c.lineno, c.col_offset))
        if calls:
            parents = {child: node for node in walk(tree) for child in ast.iter_child_nodes(node)}
            yield Candidate(path, info, tree, calls, parents)


def target_of(candidate: Candidate, call: ast.Call) -> str | None:
    """``app`` for ``app = FastAPI(...)`` (``self.app`` for attributes); None when not assigned."""
    parent = candidate.parents.get(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target: ast.AST = parent.targets[0]
    elif isinstance(parent, ast.AnnAssign) and parent.value is call and parent.simple:
        target = parent.target
    else:
        return None
    return _dotted(target)


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def scope_of(candidate: Candidate, node: ast.AST) -> ast.AST | None:
    """The function holding ``node`` (None at module level)."""
    current = candidate.parents.get(node)
    while current is not None and not isinstance(
        current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    ):
        current = candidate.parents.get(current)
    return current


def _refers(qualified: str | None, full: str) -> bool:
    """Does an import-resolved name denote ``full`` (a root-derived dotted name)?"""
    if not qualified or "." not in qualified:
        return False
    return full == qualified or full.endswith("." + qualified)


def main_app(
    project: Project, candidates: list[Candidate]
) -> tuple[Candidate, list[int], list[OtherApp]] | None:
    """The module and construction(s) of the main app, and the other apps.

    Constructions are grouped by the name they are assigned to within one scope
    (``if``/``else`` branches building the same ``app`` form one group). Groups whose
    app is mounted into another app are sub-apps. The main app is the group that
    mounts the most apps, then the one with the most uses of its name
    (``app.include_router``, ``@app.get``, ``app.mount``..., counted in the function
    that builds it, or for a module-level app in its module and, through imports,
    in the other modules); ties go to a module named
    main/app/application/server/asgi, then to the shallower path, then to the
    path in sorted order. The other groups that are not mounted are returned as
    (relpath, index of their first construction).
    """
    if not candidates:
        return None
    if len(candidates) == 1 and len(candidates[0].calls) == 1:
        return candidates[0], [0], []  # the common case: nothing to rank
    all_trees = [
        (info, tree, ImportMap(tree, info.package, nested=True)) for _, info, tree in project.containing("")
    ]
    mounted, mounts = _mounted(candidates, all_trees)
    ranked: list[tuple[tuple, Candidate, list[int], bool]] = []
    for candidate in sorted(candidates, key=lambda c: c.info.relpath):
        groups: dict[tuple[str | None, int, int], tuple[ast.AST | None, list[int]]] = {}
        for index, call in enumerate(candidate.calls):
            target = target_of(candidate, call)
            scope = scope_of(candidate, call)
            key = (target, id(scope), index if target is None else -1)
            groups.setdefault(key, (scope, []))[1].append(index)
        parts = PurePosixPath(candidate.info.relpath).with_suffix("").parts
        main_name = parts[-1] in MAIN_NAMES or (
            parts[-1] == "__init__" and len(parts) > 1 and parts[-2] in MAIN_NAMES
        )
        for (target, _, _), (scope, indices) in groups.items():
            is_mounted = target is not None and (candidate.info.module, target) in mounted
            uses = _uses(candidate, target, scope, all_trees) if target else 0
            mounting = mounts[(candidate.info.module, target or "")] if target else 0
            rank = (not is_mounted, mounting, uses, main_name, -len(parts))
            ranked.append((rank, candidate, indices, is_mounted))
    best = max(ranked, key=lambda item: item[0])
    others = [
        OtherApp(candidate.info.relpath, indices[0])
        for rank, candidate, indices, is_mounted in ranked
        if not is_mounted and not (candidate is best[1] and indices == best[2])
    ]
    return best[1], best[2], others


def _uses(
    candidate: Candidate,
    target: str,
    scope: ast.AST | None,
    all_trees: list[tuple[FileInfo, ast.Module, ImportMap]],
) -> int:
    count = sum(
        1
        for node in nodes_of(scope or candidate.tree, ast.Attribute)
        if _dotted(node.value) == target
    )
    if "." in target or scope is not None:
        return count
    full = f"{candidate.info.module}.{target}"
    for info, tree, imports in all_trees:
        if info.relpath == candidate.info.relpath:
            continue
        count += sum(
            1
            for node in nodes_of(tree, ast.Attribute)
            if _refers(imports.qualified(node.value), full)
        )
    return count


def _mounted(
    candidates: list[Candidate], all_trees: list[tuple[FileInfo, ast.Module, ImportMap]]
) -> tuple[set[tuple[str, str]], Counter[tuple[str, str]]]:
    """Apps passed to some ``X.mount(path, app)``, and how many apps each ``X`` mounts,
    both as (module, name)."""
    apps = {
        (c.info.module, t)
        for c in candidates
        for call in c.calls
        if (t := target_of(c, call)) and "." not in t
    }
    mounted: set[tuple[str, str]] = set()
    mounts: Counter[tuple[str, str]] = Counter()
    for info, tree, imports in all_trees:
        for node in nodes_of(tree, ast.Call):
            if not (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "mount"
            ):
                continue
            values = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "app")]
            for value in values:
                for module, name in apps:
                    local = module == info.module and isinstance(value, ast.Name) and value.id == name
                    if local or _refers(imports.qualified(value), f"{module}.{name}"):
                        mounted.add((module, name))
                        mounts[(info.module, _dotted(node.func.value) or "")] += 1
    return mounted, mounts
