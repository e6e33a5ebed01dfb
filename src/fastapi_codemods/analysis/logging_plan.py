"""The read-only project analysis behind ``setup_logging`` (stdlib ``ast``).

Answers, for one root: is logging configured anywhere (`logging_config`)? which
module builds the main FastAPI app (`main_app`)? can the setup be placed there,
where does the new logging module go and how is it imported? The answer is a
picklable `LoggingPlan` (or None: nothing to do).
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.dependencies import declared_specs
from fastapi_codemods.analysis.logging_config import CONFIGURES_LOGGING, logging_configured
from fastapi_codemods.analysis.main_app import (
    MAIN_NAMES,
    Candidate,
    OtherApp,
    candidates,
    main_app,
    scope_of,
    target_of,
)
from fastapi_codemods.analysis.program_model import PROGRAM_FACTS, ProgramModel
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.skip_markers import skip_markers

NAME = "setup_logging"

# The transform's declarations (`SetupLogging` refers to them), here so the driver
# reads them without importing libcst.
FILE_PASSES = (CONFIGURES_LOGGING, PROGRAM_FACTS)
OPTIONS = {"module_path": "", "log_level_env": "LOG_LEVEL"}

IMPORTED_NAMES = ("setup_logging", "RequestIdMiddleware")
# In the docstring of the module setup_logging creates (the template says it): how a
# rerun tells its own module, created by a run killed before it edited the app
# module, from logging the project configures itself.
OWN_MARK = "Created by fastapi-codemods (setup_logging)"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# python-json-logger gained ``pythonjsonlogger.json`` in 3.1.
_JSON_MODULE_RELEASES = ("3.1.0", "3.2.0", "3.2.1", "3.3.0", "4.0.0", "4.1.0", "4.2.0", "5.0.0", "6.0.0")


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

    @property
    def candidates(self) -> frozenset[str]:
        """The only files setup_logging rewrites or reports on: the app module and
        the modules building the other apps."""
        return frozenset({self.app_relpath, *(other.relpath for other in self.others)})


def plan(project: Project, options: Mapping[str, Any], model: ProgramModel | None = None) -> LoggingPlan | None:
    """The plan for this root, or None when there is nothing to do.

    Only the web app's own program counts (its import closure and the modules
    serving it, see `program_model`): a worker started on its own or a script
    under ``scripts/`` calling ``basicConfig`` configures nothing in the web
    process. When that program configures logging, the plan is a finding saying so.

    The decision does not depend on this transform's own partial output: a module
    it created that the app module does not use yet (a run killed between the two
    writes) is not "logging configured", and may stand where the module goes.
    """
    if not project.root.is_dir():
        return None
    key = f"logging_plan {sorted(options.items())!r}"
    if key not in project.shared:  # print_to_logging asks too
        project.shared[key] = _plan(project, options, model)
    return project.shared[key]


def _plan(project: Project, options: Mapping[str, Any], model: ProgramModel | None) -> LoggingPlan | None:
    own = _own_modules(project)
    found = list(candidates(project))
    model = model if model is not None else ProgramModel.of(project)
    webs = [program for program in model.programs if program.kind == "web"]
    if not own and webs and all(program.configured for program in webs):
        # Every web app configures its logging: no need to rank them (which reads
        # every module of the root) to say so at the first one.
        return _configured_everywhere(project, found, webs)
    chosen = main_app(project, found)
    if chosen is None:
        return None
    candidate, indices, others = chosen
    text = project.text(candidate.path) or ""
    if own and IMPORTED_NAMES[0] in text:
        return None  # the setup is complete
    if _opted_out(text, candidate, [candidate.calls[i] for i in indices]):
        return None
    base = {"app_relpath": candidate.info.relpath, "construction_count": len(candidate.calls)}
    program = model.web_app(candidate.info.module) or next(
        iter(model.web_programs_importing(candidate.info.module)), None
    )
    if program is None:
        if _configured_by_others(project, own) if own else logging_configured(project):
            return None
    elif program.configured:
        return LoggingPlan(
            constructions=tuple(indices[:1]),
            finding=f"logging is already configured in this web app's program ({program.describe_logging()}): "
            "setup_logging added nothing",
            **base,
        )
    elif unattached := [(relpath, site) for relpath, site in model.unattached_logging() if relpath not in own]:
        relpath, site = unattached[0]
        return LoggingPlan(
            constructions=tuple(indices[:1]),
            finding=f"{site.what} in {relpath} is in a module no program is known to import: if the web app "
            "calls it, logging is configured; setup_logging added nothing (configure logging where the app "
            "starts, or remove it and run again)",
            **base,
        )
    problem = _placement_problem(candidate, indices, text)
    if problem is None:
        problem = _name_conflict(candidate.tree)
    env = options.get("log_level_env", "LOG_LEVEL")
    if problem is None and not _ENV_NAME.fullmatch(env):
        problem = f"option log_level_env = {env!r} is not an environment variable name; nothing was added"
    if problem is not None:
        return LoggingPlan(constructions=tuple(indices[:1]), finding=problem, **base)
    location = _module_location(project, candidate, options.get("module_path", ""), own)
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


def _configured_everywhere(project: Project, found: list[Candidate], webs: list) -> LoggingPlan | None:
    entries = {program.entry: program for program in webs}
    ranked = sorted(
        (candidate for candidate in found if candidate.info.module in entries),
        key=lambda c: (PurePosixPath(c.info.relpath).stem not in MAIN_NAMES, len(PurePosixPath(c.info.relpath).parts),
                       c.info.relpath),
    )
    if not ranked:
        return None
    candidate = ranked[0]
    text = project.text(candidate.path) or ""
    if _opted_out(text, candidate, candidate.calls[:1]):
        return None
    program = entries[candidate.info.module]
    return LoggingPlan(
        app_relpath=candidate.info.relpath,
        construction_count=len(candidate.calls),
        constructions=(0,),
        finding=f"logging is already configured in this web app's program ({program.describe_logging()}): "
        "setup_logging added nothing",
    )


def _opted_out(text: str, candidate: Candidate, calls: list[ast.Call]) -> bool:
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


def _placement_problem(candidate: Candidate, indices: list[int], text: str) -> str | None:
    lines = text.splitlines()
    for index in indices:
        call = candidate.calls[index]
        if target_of(candidate, call) is None or isinstance(scope_of(candidate, call), ast.Lambda):
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
        wrapper = _forwarding_function(candidate, call)
        if wrapper is not None:
            return (
                f"no logging configuration found (logger.info() output is not shown), and this FastAPI app "
                f"is built by {wrapper}(), which passes its own *args/**kwargs to FastAPI(): a wrapper others "
                "call to build their apps; call setup_logging() and add RequestIdMiddleware where the "
                "application starts"
            )
    return None


def _forwarding_function(candidate: Candidate, call: ast.Call) -> str | None:
    """The name of the function around ``call`` that forwards its ``*args`` or
    ``**kwargs`` into it (``def FastAPIOffline(*args, **kwargs): app = FastAPI(*args,
    **kwargs)``): the app's settings are its caller's, as for a library's factory."""
    owner = candidate.parents.get(call)
    while owner is not None and not isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
        owner = candidate.parents.get(owner)
    if owner is None:
        return None
    rest = {arg.arg for arg in (owner.args.vararg, owner.args.kwarg) if arg is not None}
    passed = [arg.value for arg in call.args if isinstance(arg, ast.Starred)]
    passed += [keyword.value for keyword in call.keywords if keyword.arg is None]
    if any(isinstance(value, ast.Name) and value.id in rest for value in passed):
        return owner.name
    return None


def _name_conflict(tree: ast.Module) -> str | None:
    for node in walk(tree):
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


def _own_modules(project: Project) -> set[str]:
    """Relpaths of the modules configuring logging that this transform created."""
    return {info.relpath for path, info, found in project.results(CONFIGURES_LOGGING, {})
            if found and OWN_MARK in (project.text(path) or "")}


def _configured_by_others(project: Project, own: set[str]) -> bool:
    return any(found and info.relpath not in own for _path, info, found in project.results(CONFIGURES_LOGGING, {}))


def _module_location(project: Project, candidate: Candidate, module_path: str,
                     own: Collection[str] = ()) -> tuple[str, str] | str:
    """(root-relative path, root-derived dotted name) of the new module, or a finding;
    a module of ``own`` may already stand there."""
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
        if not project.is_dir(root / rootrel.parent):
            return f"option module_path = {module_path!r}: folder {rootrel.parent} does not exist; nothing was added"
        relpath = PurePosixPath(*prefix, *rootrel.parts)
    else:
        relpath = _auto_location(project, app_relpath)
        rootrel = PurePosixPath(*relpath.parts[len(prefix) :])
    known = {PurePosixPath(info.relpath) for _, info in project.files}
    package_folder = relpath.with_suffix("")
    if relpath.as_posix() in own:
        return rootrel.as_posix(), ".".join(relpath.with_suffix("").parts)
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


def _import_of(project: Project, candidate: Candidate, module_name: str) -> tuple[str, int] | None:
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
    for module in project.modules:
        parts = module.split(".")
        known.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    app_parts = app.module.split(".")
    prefixes = {".".join(app_parts[:n]) + "." if n else "" for n in range(len(app_parts))}
    votes: Counter[str] = Counter()
    relative = 0
    for tree in trees:
        for node in nodes_of(tree, ast.Import, ast.ImportFrom):
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
