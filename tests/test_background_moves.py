"""The audit's restatement of background_tasks' decision (`analysis.background_moves`)
agrees with the transform on the transform's own fixtures: every call the
transform reports as not moved is refused, every other candidate is moved."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from fastapi_codemods.analysis import background_moves, routes, side_effects
from fastapi_codemods.analysis.astnames import import_bindings
from fastapi_codemods.engine.driver import PathNames, discover_root, root_config
from fastapi_codemods.engine.tomlreader import tomllib

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "background_tasks"
SINGLE = sorted(path.name.removesuffix(".input.py") for path in FIXTURES.glob("*.input.py"))
PROJECTS = sorted(path.name for path in FIXTURES.iterdir() if (path / "input").is_dir())
REFUSED = re.compile(r"^(?:(?P<file>[^:]+):)?(?P<line>\d+): `[^`]+\(\.\.\.\)` not moved to BackgroundTasks")


def _decisions(root: Path, options: dict) -> dict[tuple[str, int], bool]:
    """(relpath, line) -> moved, for every matching call of every async route under ``root``."""
    project = discover_root(root, root_config(root), [], PathNames())
    facts = side_effects.analyze(project, options)
    matcher = side_effects.CallMatcher(options)
    found: dict[tuple[str, int], bool] = {}
    for path, info in project.files:
        tree = project.tree(path)
        if tree is None:
            continue
        bindings = import_bindings(tree, info.package)
        built = side_effects._app_and_router_names(tree, info.module, bindings)

        def is_router(decorator: ast.expr) -> bool:
            if not routes.is_route_decorator(decorator):
                return False
            owner = decorator.func.value.id
            return owner in built or bool(side_effects._possible_names_of(owner, "", info.module, bindings)
                                          & facts.routers)

        for function, owners in side_effects.async_routes(tree).items():
            if not (owners & built or any(side_effects._possible_names_of(o, "", info.module, bindings)
                                          & facts.routers for o in owners)):
                continue  # the transform acts on app and router routes only
            route = background_moves.Route(function, info.module, bindings, facts, matcher, is_router)
            for call, reason in route.decisions():
                key = (info.relpath, call.lineno)
                found[key] = found.get(key, True) and reason is None
    return found


def _refused(findings: str, default: str) -> set[tuple[str, int]]:
    lines = set()
    for line in findings.splitlines():
        match = REFUSED.match(line.strip())
        if match:
            lines.add((match["file"] or default, int(match["line"])))
    return lines


@pytest.mark.parametrize("case", SINGLE)
def test_single_file_cases_agree(case: str, tmp_path: Path) -> None:
    config = FIXTURES / f"{case}.toml"
    settings = tomllib.loads(config.read_text()) if config.exists() else {}
    relpath = settings.get("relpath", f"app/{case}.py")
    options = {**side_effects.OPTIONS, **settings.get("options", {})}
    target = tmp_path / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / f"{case}.input.py", target)
    findings = FIXTURES / f"{case}.findings"
    refused = _refused(findings.read_text() if findings.exists() else "", relpath)
    decided = _decisions(tmp_path, options)
    assert {key for key, moved in decided.items() if not moved} == refused
    moved = {key for key, moved in decided.items() if moved}
    assert bool(moved) == (FIXTURES / f"{case}.output.py").exists()


@pytest.mark.parametrize("case", PROJECTS)
def test_project_cases_agree(case: str, tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / case / "input", tmp_path, dirs_exist_ok=True)
    findings = FIXTURES / case / "findings"
    refused = {line for _file, line in _refused(findings.read_text() if findings.exists() else "", "")}
    decided = _decisions(tmp_path, dict(side_effects.OPTIONS))
    # A project's findings name lines only: the routes of these cases sit in one file each.
    assert {line for (_file, line), moved in decided.items() if not moved} == refused
