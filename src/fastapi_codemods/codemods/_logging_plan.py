"""The read-only project analysis behind ``setup_logging`` (stdlib ``ast``).

Answers, for one root: is logging configured anywhere? which module builds the
main FastAPI app? where does the new logging module go and how is it imported?
The answer is a picklable `LoggingPlan` (or None: nothing to do).
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi_codemods.astnames import ImportMap, app_constructions
from fastapi_codemods.codemods._base import skip_markers
from fastapi_codemods.dependencies import declared_specs
from fastapi_codemods.fileinfo import FileInfo
from fastapi_codemods.project import Project

NAME = "setup_logging"
IMPORTED_NAMES = ("setup_logging", "RequestIdMiddleware")

# Calls that configure logging, by qualified name.
CONFIG_CALLS = frozenset(
    {
        "logging.basicConfig",
        "logging.config.dictConfig",
        "logging.config.fileConfig",
        "structlog.configure",
        "structlog.configure_once",
        "loguru.logger.add",
        "loguru.logger.configure",
        "coloredlogs.install",
    }
)
UVICORN_RUNNERS = frozenset({"uvicorn.run", "uvicorn.Config", "uvicorn.config.Config", "uvicorn.main.run"})
CONFIG_NEEDLES = (
    "basicConfig",
    "dictConfig",
    "fileConfig",
    "configure",
    "addHandler",
    "handlers",
    "log_config",
    "loguru",
    "coloredlogs",
    "logconfig",
)
MAIN_NAMES = frozenset({"main", "app", "application", "server", "asgi"})
NOT_APP_FOLDERS = frozenset({"examples", "example", "docs", "docs_src"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# python-json-logger gained ``pythonjsonlogger.json`` in 3.1.
_JSON_MODULE_RELEASES = ("3.1.0", "3.2.0", "3.2.1", "3.3.0", "4.0.0", "4.1.0", "4.2.0", "5.0.0", "6.0.0")


@dataclass(frozen=True)
class OtherApp:
    """Another app, not mounted into one: flagged so a reviewer checks how it runs."""

    relpath: str
    construction: int


@dataclass(frozen=True)
class LoggingPlan:
    """What the rewrite of the app module and the created file need to agree on.

    ``others`` are the other apps (not mounted into one), each reported so that a
    reviewer checks whether it runs in a process of its own.

    ``constructions`` are indices, in source order, of the ``FastAPI(...)`` calls of
    the app module that get the middleware; ``construction_count`` lets the rewrite
    check that libcst sees the same calls. When ``finding`` is set nothing is
    rewritten or created: the finding is reported at the first listed call.
    """

    app_relpath: str
    construction_count: int
    constructions: tuple[int, ...]
    finding: str | None = None
    module_relpath: str = ""
    import_module: str = ""
    import_level: int = 0
    use_jsonlogger: bool = False
    others: tuple[OtherApp, ...] = ()


@dataclass
class _Candidate:
    path: Path
    info: FileInfo
    tree: ast.Module
    calls: list[ast.Call]
    parents: dict[ast.AST, ast.AST]


def plan(project: Project, options: Mapping[str, Any]) -> LoggingPlan | None:
    """The plan for this root, or None when there is nothing to do."""
    if not project.root.is_dir() or logging_configured(project):
        return None
    candidates = list(_candidates(project))
    chosen = _main_app(project, candidates)
    if chosen is None:
        return None
    candidate, indices, others = chosen
    text = project.text(candidate.path) or ""
    if _opted_out(text, candidate, [candidate.calls[i] for i in indices]):
        return None
    base = {"app_relpath": candidate.info.relpath, "construction_count": len(candidate.calls)}
    problem = _placement_problem(candidate, indices, text)
    if problem is None:
        problem = _name_conflict(candidate.tree)
    env = options.get("log_level_env", "LOG_LEVEL")
    if problem is None and not _ENV_NAME.fullmatch(env):
        problem = f"option log_level_env = {env!r} is not an environment variable name; nothing was added"
    if problem is not None:
        return LoggingPlan(constructions=tuple(indices[:1]), finding=problem, **base)
    location = _module_location(project, candidate, options.get("module_path", ""))
    if isinstance(location, str):
        return LoggingPlan(constructions=tuple(indices[:1]), finding=location, **base)
    module_relpath, module_name = location
    where = _import_of(project, candidate, module_name)
    if where is None:
        return LoggingPlan(
            constructions=tuple(indices[:1]),
            finding=f"no logging configuration found, but the import path of {module_relpath} from this "
            "module could not be determined; set module_path or configure logging by hand",
            **base,
        )
    return LoggingPlan(
        constructions=tuple(indices),
        module_relpath=module_relpath,
        import_module=where[0],
        import_level=where[1],
        use_jsonlogger=_can_use_jsonlogger(project),
        others=tuple(others),
        **base,
    )


# --- is logging configured? ---------------------------------------------------


def logging_configured(project: Project) -> bool:
    """True when some module of the root sets up logging handlers.

    Test files and Alembic migration environments (their ``fileConfig`` runs only in
    the ``alembic`` command) do not count: they configure other processes.
    """
    for _, info, tree in project.containing(*CONFIG_NEEDLES):
        if info.is_test_file or NOT_APP_FOLDERS.intersection(PurePosixPath(info.relpath).parts[:-1]):
            continue
        imports = ImportMap(tree, info.package, nested=True)
        if "alembic.context" in imports.names.values():
            continue
        if _configures_logging(tree, imports, PurePosixPath(info.relpath).name):
            return True
    return False


def _configures_logging(tree: ast.Module, imports: ImportMap, filename: str) -> bool:
    loggers = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_get_logger(node.value, imports)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = imports.qualified(node.func)
            if name in CONFIG_CALLS:
                return True
            if name in UVICORN_RUNNERS and any(
                k.arg == "log_config" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
                for k in node.keywords
            ):
                return True
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "addHandler"
                and not _null_handler(node)
            ):
                return True
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Attribute)
                and t.attr == "handlers"
                and (
                    _is_get_logger(t.value, imports)
                    or imports.qualified(t.value) == "logging.root"
                    or isinstance(t.value, ast.Name)
                    and t.value.id in loggers
                )
                for t in targets
            ):
                return True
    # gunicorn reads logging settings from its Python configuration file.
    if filename.startswith("gunicorn"):
        return any(
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id in ("logconfig", "logconfig_dict", "logconfig_json")
                for t in node.targets
            )
            for node in tree.body
        )
    return False


def _is_get_logger(node: ast.AST, imports: ImportMap) -> bool:
    return isinstance(node, ast.Call) and imports.qualified(node.func) == "logging.getLogger"


def _null_handler(call: ast.Call) -> bool:
    """``addHandler(logging.NullHandler())``: a library's silencer, not a configuration."""
    return any(
        isinstance(arg, ast.Call)
        and (
            isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "NullHandler"
            or isinstance(arg.func, ast.Name)
            and arg.func.id == "NullHandler"
        )
        for arg in call.args
    )


# --- which module builds the main app? ----------------------------------------


def _candidates(project: Project) -> Iterator[_Candidate]:
    for path, info, tree in project.containing("FastAPI"):
        if info.is_test_file or NOT_APP_FOLDERS.intersection(PurePosixPath(info.relpath).parts[:-1]):
            continue
        imports = ImportMap(tree, info.package, nested=True)
        calls = sorted(app_constructions(tree, imports), key=lambda c: (c.lineno, c.col_offset))
        if calls:
            parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
            yield _Candidate(path, info, tree, calls, parents)


def _target(candidate: _Candidate, call: ast.Call) -> str | None:
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


def _scope(candidate: _Candidate, node: ast.AST) -> ast.AST | None:
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


def _main_app(
    project: Project, candidates: list[_Candidate]
) -> tuple[_Candidate, list[int], list[OtherApp]] | None:
    """The module and construction(s) of the main app, and the other apps.

    Constructions are grouped by the name they are assigned to within one scope
    (``if``/``else`` branches building the same ``app`` form one group). Groups whose
    app is mounted into another app are sub-apps. The main app is the group that
    mounts the most apps, then the one with the most uses of its name (``app.include_router``, ``@app.get``, ``app.mount``...,
    counted in the function that builds it, or for a module-level app in its module
    and, through imports, in the other modules); ties go to a module named
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
    ranked: list[tuple[tuple, _Candidate, list[int], bool]] = []
    for candidate in sorted(candidates, key=lambda c: c.info.relpath):
        groups: dict[tuple[str | None, int, int], tuple[ast.AST | None, list[int]]] = {}
        for index, call in enumerate(candidate.calls):
            target = _target(candidate, call)
            scope = _scope(candidate, call)
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
    candidate: _Candidate,
    target: str,
    scope: ast.AST | None,
    all_trees: list[tuple[FileInfo, ast.Module, ImportMap]],
) -> int:
    count = sum(
        1
        for node in ast.walk(scope or candidate.tree)
        if isinstance(node, ast.Attribute) and _dotted(node.value) == target
    )
    if "." in target or scope is not None:
        return count
    full = f"{candidate.info.module}.{target}"
    for info, tree, imports in all_trees:
        if info.relpath == candidate.info.relpath:
            continue
        count += sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and _refers(imports.qualified(node.value), full)
        )
    return count


def _mounted(
    candidates: list[_Candidate], all_trees: list[tuple[FileInfo, ast.Module, ImportMap]]
) -> tuple[set[tuple[str, str]], Counter[tuple[str, str]]]:
    """Apps passed to some ``X.mount(path, app)``, and how many apps each ``X`` mounts,
    both as (module, name)."""
    apps = {
        (c.info.module, t) for c in candidates for call in c.calls if (t := _target(c, call)) and "." not in t
    }
    mounted: set[tuple[str, str]] = set()
    mounts: Counter[tuple[str, str]] = Counter()
    for info, tree, imports in all_trees:
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
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


def _opted_out(text: str, candidate: _Candidate, calls: list[ast.Call]) -> bool:
    """Skip markers or ``@generated``: the pipeline would not rewrite these calls."""
    if "@generated" in text[:2048]:
        return True
    lines, file_names, whole = skip_markers(text)
    if whole or NAME in (file_names or ()):
        return True
    marked = {line for line, names in lines.items() if names is None or NAME in names}
    if not marked:
        return False
    for call in calls:
        node: ast.AST | None = call
        while node is not None:
            if isinstance(node, ast.stmt):
                last = node.end_lineno or node.lineno
                body = getattr(node, "body", None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    last = body[0].lineno - 1
                if any(node.lineno <= line <= last for line in marked):
                    return True
            node = candidate.parents.get(node)
    return False


def _placement_problem(candidate: _Candidate, indices: list[int], text: str) -> str | None:
    lines = text.splitlines()
    for index in indices:
        call = candidate.calls[index]
        if _target(candidate, call) is None or isinstance(_scope(candidate, call), ast.Lambda):
            return (
                "no logging configuration found (logger.info() output is not shown), and this FastAPI app "
                "is not assigned to a name where setup_logging() and RequestIdMiddleware could be added: "
                "configure logging by hand"
            )
        statement = candidate.parents[call]
        before = lines[statement.lineno - 1].encode("utf-8")[: statement.col_offset] if lines else b""
        if before.strip():
            # ``if x: app = FastAPI()``, ``def f(): app = ...``: no line of its own to add after.
            return (
                "no logging configuration found (logger.info() output is not shown), and this FastAPI app "
                "is built on a line shared with other code: add setup_logging() and RequestIdMiddleware by hand"
            )
        owner = candidate.parents.get(call)
        while owner is not None and not isinstance(owner, ast.ClassDef):
            owner = candidate.parents.get(owner)
        if owner is not None:
            return (
                f"no logging configuration found (logger.info() output is not shown), and this FastAPI app "
                f"is built inside class {owner.name}, a component others may reuse: call setup_logging() "
                "and add RequestIdMiddleware where the application starts"
            )
    return None


def _name_conflict(tree: ast.Module) -> str | None:
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name.split(".")[0]]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        clash = sorted(set(names) & set(IMPORTED_NAMES))
        if clash:
            return (
                f"no logging configuration found, but this module already uses the name {clash[0]}: "
                "nothing was added; configure logging by hand"
            )
    return None


# --- where does the new module go, and how is it imported? ---------------------


def _module_location(project: Project, candidate: _Candidate, module_path: str) -> tuple[str, str] | str:
    """(root-relative path, root-derived dotted name) of the new module, or a finding."""
    root = project.root.resolve()
    app_rootrel = PurePosixPath(Path(os.path.relpath(candidate.path.resolve(), root)).as_posix())
    app_relpath = PurePosixPath(candidate.info.relpath)
    prefix = app_relpath.parts[: len(app_relpath.parts) - len(app_rootrel.parts)]
    if module_path:
        rootrel = PurePosixPath(module_path)
        if rootrel.is_absolute() or ".." in rootrel.parts or rootrel.suffix != ".py":
            return (
                f"option module_path = {module_path!r} must be a .py path inside the root; nothing was added"
            )
        if not (root / rootrel.parent).is_dir():
            return f"option module_path = {module_path!r}: folder {rootrel.parent} does not exist; nothing was added"
        relpath = PurePosixPath(*prefix, *rootrel.parts)
    else:
        relpath = _auto_location(project, app_relpath)
        rootrel = PurePosixPath(*relpath.parts[len(prefix) :])
    known = {PurePosixPath(info.relpath) for _, info in project.files}
    package_folder = relpath.with_suffix("")
    if (
        project.text(root / rootrel) is not None
        or relpath in known
        or any(package_folder in path.parents for path in known)
    ):
        return (
            f"no logging configuration found, but {rootrel} already exists: nothing was added; "
            "set [tool.fastapi-codemods.setup_logging] module_path or configure logging by hand"
        )
    return rootrel.as_posix(), ".".join(relpath.with_suffix("").parts)


def _auto_location(project: Project, app_relpath: PurePosixPath) -> PurePosixPath:
    """``<package>/core/logging_config.py`` when the app's package (or a parent
    package inside the same top-level package) has a ``core`` package, else beside
    the app module."""
    folder = app_relpath.parent.parts
    folders = {PurePosixPath(info.relpath).parent.parts for _, info in project.files}
    lowest = 1 if folder else 0
    for depth in range(len(folder), lowest - 1, -1):
        core = (*folder[:depth], "core")
        if any(parts[: len(core)] == core for parts in folders):
            return PurePosixPath(*core, "logging_config.py")
    return PurePosixPath(*folder, "logging_config.py")


def _import_of(project: Project, candidate: _Candidate, module_name: str) -> tuple[str, int] | None:
    """(module, level) for importing ``module_name`` from the app module.

    Follows the project's style: absolute imports of its own modules (with the
    folder prefix they imply, e.g. ``backend.`` when ``backend/app/main.py`` says
    ``from app.core import x``) or relative ones. The app module's own imports
    decide; else the whole root's; without evidence, absolute from the root.
    """
    style = _import_style(project, [candidate.tree], candidate.info)
    if style is None:
        trees = [tree for _, _, tree in project.containing("import")]
        style = _import_style(project, trees, candidate.info) or ("absolute", "")
    kind, prefix = style
    absolute = (module_name[len(prefix) :], 0) if module_name.startswith(prefix) else None
    package = candidate.info.package.split(".") if candidate.info.package else []
    target = module_name.split(".")
    common = 0
    while common < min(len(package), len(target) - 1) and package[common] == target[common]:
        common += 1
    relative = (".".join(target[common:]), len(package) - common + 1) if common else None
    return (absolute or relative) if kind == "absolute" else (relative or absolute)


def _import_style(project: Project, trees: list[ast.Module], app: FileInfo) -> tuple[str, str] | None:
    known = set()
    for module in project.module_names:
        parts = module.split(".")
        known.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    app_parts = app.module.split(".")
    prefixes = {".".join(app_parts[:n]) + "." if n else "" for n in range(len(app_parts))}
    votes: Counter[str] = Counter()
    relative = 0
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                relative += 1
                continue
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                for prefix in prefixes:
                    if prefix + name in known:
                        votes[prefix] += 1
    if votes:
        prefix = max(votes, key=lambda p: (votes[p], -len(p)))
        return "absolute", prefix
    if relative:
        return "relative", ""
    return None


def _can_use_jsonlogger(project: Project) -> bool:
    """The project declares python-json-logger at a version with ``pythonjsonlogger.json``."""
    specs = declared_specs(project, "python-json-logger")
    if not specs:
        return False
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # pragma: no cover - packaging comes with black
        return False
    for spec in specs:
        try:
            allowed = SpecifierSet(spec)
        except InvalidSpecifier:
            return False
        if not any(allowed.contains(version) for version in _JSON_MODULE_RELEASES):
            return False
    return True
