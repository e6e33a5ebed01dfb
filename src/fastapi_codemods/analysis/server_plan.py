"""The project pass of ``production_server`` (stdlib ``ast``, no I/O of its own).

Decides, for one root: which ``uvicorn.run(..., reload=True)`` calls become
``reload=<settings>.DEBUG`` and how that expression is reached in their module
(`analysis.settings`, as conditional_docs finds the settings object); whether a
``gunicorn.conf.py`` is written and where (beside the top-level package of the main
app, `analysis.main_app`); and the edit of the dependency declaration
(`analysis.dependency_edits`). What it will not do is a finding with a reason. The
answer is a picklable `ServerPlan`.
"""

from __future__ import annotations

import ast
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi_codemods.analysis import code_roles
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.dependencies import Declaration, app_declarations, root_folder
from fastapi_codemods.analysis.dependency_edits import Addition, EditRefused, edit
from fastapi_codemods.analysis.deployment import (
    SERVER_CALLS,
    SERVER_SITES,
    calls_in_context,
    deployment_files,
    uvicorn_without_standard,
    workers_setting,
)
from fastapi_codemods.analysis.start_commands import (
    PythonStart,
    StartCommand,
    project_workers,
    python_starts,
    start_commands,
    with_workers,
)
from fastapi_codemods.analysis.launchers import LauncherPlan, launcher_plan
from fastapi_codemods.analysis.process_state import process_state
from fastapi_codemods.analysis.startup_work import Work, main_only_state, once_per_process
from fastapi_codemods.analysis.docs_gates import app_module
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.main_app import Candidate, candidates, main_app, scope_of, target_of
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.settings import (
    SETTINGS_MODULES,
    SettingsIndex,
    SourceChoice,
    choose_source,
    import_spellings,
)
from fastapi_codemods.engine.fileinfo import FileInfo

CONFIG_NAME = "gunicorn.conf.py"
# In the docstring of the config this transform creates (`_config.py` says it).
OWN_MARK = "Written by fastapi-codemods (production_server)"
GUNICORN = Addition("gunicorn", spec=">=23")
UVICORN_WORKER = Addition("uvicorn-worker")
UVICORN_STANDARD = Addition("uvicorn", extras=("standard",))
RUN_CALLS = frozenset({"uvicorn.run", "uvicorn.main.run"})
ONE_PROCESS = "only in the process that"  # `startup_work`'s words for work a leader lock confines



@dataclass(frozen=True)
class ReloadModule:
    """A module with a literal ``reload=True`` server call outside a development
    guard, and what it binds: (qualified, local) imports, (``module.name``, name)
    definitions, and how many times each name is bound at module level."""

    imported: tuple[tuple[str, str], ...]
    defined: tuple[tuple[str, str], ...]
    bindings: Mapping[str, int]


def reload_module(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ReloadModule | None:
    imports = ImportMap(tree, info.package, nested=True)
    for call, guarded, _in_main in calls_in_context(tree):
        reload = next((k.value for k in call.keywords if k.arg == "reload"), None)
        if (not guarded and isinstance(reload, ast.Constant) and reload.value is True
                and imports.qualified(call.func) in SERVER_CALLS):
            names = app_module(info, tree, text, options)
            return ReloadModule(names.imported, names.defined, _module_bindings(tree))
    return None


def _module_bindings(tree: ast.Module) -> dict[str, int]:
    """How many times each name is bound in the module's own scope (functions,
    classes and comprehensions are scopes of their own)."""
    counts: Counter[str] = Counter()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            counts[node.name] += 1
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] += 1
        elif isinstance(node, ast.alias):
            counts[node.asname or node.name.split(".")[0]] += 1
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return dict(counts)


RELOAD_MODULES = FilePass("production_server.reloads", ("reload",), reload_module)
# The same steps as conditional_docs' settings pass and the audit's server sites, named
# for this transform: each pass belongs to one declarer (tests/test_parallel_analysis.py).
SETTINGS = FilePass("production_server.settings", SETTINGS_MODULES.needles, SETTINGS_MODULES.compute)
SITES = FilePass("production_server.server_sites", SERVER_SITES.needles, SERVER_SITES.compute)

# The transform's declarations (`ProductionServer` refers to them), here so the driver
# reads them without importing libcst.
FILE_PASSES = (SETTINGS, RELOAD_MODULES, SITES)
OPTIONS: dict[str, Any] = {}


@dataclass(frozen=True)
class ReloadPlan:
    """How ``reload=True`` is rewritten in one module: ``expression`` (``settings.DEBUG``),
    the import to add first when the module does not bind its name, and notes to
    report at each rewrite."""

    expression: str
    import_from: tuple[str, str] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerPlan:
    """Everything production_server does on one root.

    ``reloads``: relpath of a module with a literal ``reload=True`` -> its `ReloadPlan`,
    or the reason none applies (the transform finds the calls itself). ``config``: root-relative path of the ``gunicorn.conf.py`` to
    create ("" for none), started by ``command``. ``edits``: root-relative path -> (text read, new text).
    ``launchers``: relpath of a module a deployment file starts with python -> the
    rewrite of its ``uvicorn.run`` (`analysis.launchers`).
    ``findings``: the main app's module relpath -> (index of its ``FastAPI(...)`` call in
    source order, reasons reported there): positions, not lines, since earlier
    transforms may have moved the lines.
    """

    reloads: Mapping[str, ReloadPlan | str] = field(default_factory=dict)
    config: str = ""
    command: str = ""
    edits: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    findings: Mapping[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    kept: tuple[str, ...] = ()
    launchers: Mapping[str, LauncherPlan] = field(default_factory=dict)

    @property
    def candidates(self) -> frozenset[str]:
        """The modules production_server rewrites or reports on."""
        return frozenset({*self.reloads, *self.findings, *self.launchers})


def plan(project: Project, options: Mapping[str, Any]) -> ServerPlan:
    """The plan for one root (see the module)."""
    not_application = code_roles.not_application(project)
    reloads = dict(_reload_plans(project, options, not_application))
    if not project.root.is_dir():
        return ServerPlan(reloads=reloads)
    found = list(candidates(project))
    built = project.glob(root_folder(project), "*.dist-info")
    if found and built:
        # An unpacked wheel is what gets installed, not what gets deployed: its
        # METADATA is generated and a config beside its packages would ship nowhere.
        return ServerPlan(reloads=reloads, kept=(f"no {CONFIG_NAME} written: {built[0].name} makes this tree a "
                                                 "built distribution, not a deployment",))
    chosen = main_app(project, found)
    if chosen is None:
        return ServerPlan(reloads=reloads)
    candidate, indices, _others = chosen
    app_folders = _app_folders(project, candidate)
    declarations = app_declarations(project, app_folders)
    # What this transform wrote itself does not count as the project configuring
    # workers: a run killed between writing the config and the dependency edit (or
    # a full disk failing one of them) is completed by the next run.
    own_configs = {path for path, _info in project.files if _is_own_config(project, path)}
    sites = [(info, found) for path, info, found in project.results(SITES, {})
             if info.relpath not in not_application and path not in own_configs]
    files = [path for path in deployment_files(project, app_folders) if path not in own_configs]
    commands = start_commands(project, files)
    wanted = [item for item in commands if item.needs_workers]
    pythons = python_starts(project, files)
    # A module a deployment file starts with python is judged as that start (`launchers`).
    launched = {start.relpath for start in pythons}
    code_starts = [(info.relpath, start[0]) for info, found in sites for start in found.starts
                   if info.relpath not in launched]
    config, command, kept, findings = "", "", [], []
    edits: dict[str, tuple[str, str]] = {}
    setting = workers_setting(
        project,
        [item for item in declarations if not _is_own_declaration(item, declarations)],
        [found for _info, found in sites],
        files,
        ignored=own_configs,
    )
    if setting is not None:
        # A project with a gunicorn setup keeps a single-process launcher on purpose
        # (``lightrag-server`` beside ``lightrag-gunicorn``); its commands still count.
        code_starts = []
    launchers: dict[str, LauncherPlan] = {}
    if wanted or pythons or code_starts:
        startup = _startup(project, candidate)
        findings = _blockers(project, candidate, startup, "the start command left unchanged")
        if not findings:
            kept, findings = _command_edits(project, wanted, code_starts, edits)
            launched, launch_findings = _launcher_plans(project, pythons, reloads, project_workers(project, files))
            launchers.update(launched)
            kept += [f"{plan.started_by} starts {plan.relpath}:{plan.line}: uvicorn.run now starts several "
                     f"workers ({plan.how}): size it to the machine" for plan in launched.values()]
            findings += launch_findings + _model_notes(startup)
    elif setting is not None:
        kept = [f"no {CONFIG_NAME} written: {setting}"]
    else:
        startup = _startup(project, candidate)
        findings = _blockers(project, candidate, startup, f"{CONFIG_NAME} not written")
        if not findings:
            config, command, kept, findings = _config_plan(project, candidate)
            findings += _model_notes(startup) if config else []
    problem = _dependency_edit(project, declarations, [GUNICORN, UVICORN_WORKER] if config else [], edits)
    findings += [problem] if problem is not None else []
    return ServerPlan(
        reloads=reloads,
        config=config,
        command=command,
        edits=edits,
        findings={candidate.info.relpath: (indices[0], tuple(findings))} if findings else {},
        kept=tuple(kept),
        launchers=launchers,
    )


def _app_folders(project: Project, candidate: Candidate) -> list[Path]:
    """The main app's folder and those between it and the root (where a ``backend/Dockerfile`` sits)."""
    root = root_folder(project)
    folder, folders = candidate.path.resolve().parent, []
    while folder != root and root in folder.parents:
        folders.append(folder)
        folder = folder.parent
    return folders


def _shown(project: Project, path: Path) -> str:
    return Path(os.path.relpath(path, root_folder(project))).as_posix()


Startup = tuple[list[Work], list[Work], list[Work], list[Work]]


def _startup(project: Project, candidate: Candidate) -> Startup:
    """(once-per-deployment work, its notes, per-process state several workers would
    split, its notes) of the main app: computed once per plan."""
    blocking, notes = once_per_process(project, candidate.info.module, candidate.calls)
    state, caches = process_state(project, candidate.info.module)
    return blocking, notes, state, caches


def _blockers(project: Project, candidate: Candidate, startup: Startup, action: str) -> list[str]:
    """Why several workers would break the app (`startup_work`, `process_state`), one
    finding each."""
    blocking, _notes, state, _caches = startup
    found = [
        f"{work.where}: {work.what} at startup: with several workers every worker does it, at the same moment; "
        f"{action}: do it once per deployment (a release step before the server starts), then serve with "
        "several workers"
        for work in blocking
    ]
    found += [f"{work.where}: {work.what}; {action}" for work in state]
    found += [
        f"{work.where}: {work.what}: a server importing the module (gunicorn or uvicorn module:app) never "
        f"assigns it, so this raises NameError; {action}: assign it at module level or in the lifespan"
        for work in main_only_state(project, candidate.info.module)
    ]
    return found


def _model_notes(startup: Startup) -> list[str]:
    _blocking, notes, _state, caches = startup
    return [f"{work.where}: {work.what}: accepted, one worker runs it" if ONE_PROCESS in work.what
            else f"{work.where}: {work.what} at startup: each worker holds its own copy (memory x workers)"
            for work in notes] + [f"{work.where}: {work.what}" for work in caches]


def _command_edits(project: Project, wanted: list[StartCommand],
                   code_starts: list[tuple[str, int]], edits: dict[str, tuple[str, str]]
                   ) -> tuple[list[str], list[str]]:
    """(kept lines, findings) for the commands that start the app with one worker;
    the edits of their files go into ``edits``."""
    kept, findings = [], []
    by_file: dict[Path, list[StartCommand]] = {}
    for item in wanted:
        where = f"{_shown(project, item.path)}:{item.line}"
        if item.reload:
            findings.append(f"{where}: the server command reloads (--reload), a development setup: left unchanged; "
                            "production needs a command without --reload and with --workers")
        else:
            by_file.setdefault(item.path, []).append(item)
    for path, items in by_file.items():
        text = project.text(path)
        if text is None:
            continue
        shown = _shown(project, path)
        edits[shown] = (text, with_workers(text, items))
        lines = ", ".join(str(item.line) for item in items)
        kept.append(f"{shown}:{lines}: the server command now starts several workers ({items[0].how}): "
                    "size it to the machine")
    for relpath, line in code_starts:
        findings.append(f"{relpath}:{line}: uvicorn serves the app from one worker: left unchanged, and no "
                        f"{CONFIG_NAME} written (nothing would start it); pass workers= and the app as an "
                        "import string by hand")
    return kept, findings


def _launcher_plans(project: Project, pythons: list[PythonStart], reloads: Mapping[str, ReloadPlan | str],
                    count: str) -> tuple[dict[str, LauncherPlan], list[str]]:
    """(the launchers whose uvicorn.run gets workers, by module; findings for the
    others) among the modules a deployment file starts with python (`analysis.launchers`)."""
    plans: dict[str, LauncherPlan] = {}
    findings: list[str] = []
    for start in pythons:
        if start.relpath in plans:
            continue
        started_by = f"{_shown(project, start.path)}:{start.line}"
        found = launcher_plan(project, start.module_path, start.info, start.started_as, started_by, count,
                              isinstance(reloads.get(start.relpath), ReloadPlan))
        if isinstance(found, str):
            findings.append(found)
        else:
            plans[start.relpath] = found
    return plans, findings


def _is_own_config(project: Project, path: Path) -> bool:
    return path.name == CONFIG_NAME and OWN_MARK in (project.text(path) or "")


def _is_own_declaration(item: Declaration, declarations: list[Declaration]) -> bool:
    """``gunicorn>=23`` or ``uvicorn-worker`` where `dependency_edits.edit` puts them: on
    one of the three lines after the fastapi or uvicorn declaration of the same file."""
    spec = item.spec.replace(" ", "").strip("\"'")
    if (item.normalized, spec) not in (("gunicorn", GUNICORN.spec), ("uvicorn-worker", UVICORN_WORKER.spec)):
        return False
    return any(anchor.path == item.path and 0 < item.line - anchor.line <= 3
               for anchor in declarations if anchor.normalized in ("fastapi", "uvicorn"))


def _config_plan(project: Project, candidate: Candidate) -> tuple[str, str, list[str], list[str]]:
    """(root-relative config path, start command, kept lines, findings) for a root
    whose workers are not configured yet."""
    located = _config_location(project, candidate)
    if isinstance(located, str):
        return "", "", [], [located]
    config, folder = located
    command = _start_command(project, candidate, folder, config)
    if command is None:
        return "", "", [], [
            "one worker process and no gunicorn configuration, but gunicorn cannot import this app (not a "
            "module-level variable, nor built by a module-level function without parameters): "
            f"{CONFIG_NAME} not written; serve it with several workers by hand"
        ]
    return config, command, [f"{config}: serve with {command}"], []


def _reload_plans(project: Project, options: Mapping[str, Any], not_application: Mapping[str, str]
                  ) -> Iterator[tuple[str, ReloadPlan | str]]:
    found = [(info, module) for _p, info, module in project.results(RELOAD_MODULES, options)
             if module is not None and info.relpath not in not_application]
    if not found:
        return
    settings_modules = [module for _, _, module in project.results(SETTINGS, options)]
    index = SettingsIndex(settings_modules)
    sources = index.sources(debug_only=True)
    spellings = import_spellings(settings_modules, index)
    for info, module in found:
        choice = choose_source(info.module, index.bound_names(module.imported, module.defined), sources, spellings)
        yield info.relpath, _reload_plan(choice, module)


def _reload_plan(choice: SourceChoice | list[str], module: ReloadModule) -> ReloadPlan | str:
    if not isinstance(choice, SourceChoice):
        found = f"several settings objects have one ({', '.join(choice)})" if choice else "none was found"
        return (
            "reload=True left unchanged: it needs the project's Pydantic settings with a DEBUG bool field, and "
            f"{found}; pass reload=<your debug setting> by hand"
        )
    expected = 1 if choice.import_from is None else 0
    if module.bindings.get(choice.local, 0) != expected:
        return (
            f"reload=True left unchanged: {choice.local!r} is bound to something else in this module as well; "
            f"pass reload={choice.source.expression(choice.local)} by hand"
        )
    expression = choice.source.expression(choice.local)
    notes: tuple[str, ...] = ()
    if choice.source.flag.default_on:
        notes = (f"reload now follows {expression}, which defaults to {choice.source.flag.default_text}: "
                 f"make sure production sets {choice.source.flag.field}=false",)
    return ReloadPlan(expression, choice.import_from, notes)


def _config_location(project: Project, candidate: Candidate) -> tuple[str, Path] | str:
    """(root-relative path of the config, the folder gunicorn runs from), or a finding.

    The folder is the first one up without ``__init__.py``, unless the app's module
    imports a sibling package absolutely from below it (``from server.db import`` in
    ``backend/server/app.py`` while ``backend/__init__.py`` exists: the project runs
    from ``backend/``, where ``server`` is importable)."""
    folder = candidate.path.resolve().parent
    while project.is_file(folder / "__init__.py") and folder.parent != folder:
        folder = folder.parent
    folder = _folder_a_launcher_names(project, candidate) or _folder_its_imports_need(project, candidate, folder)
    root = project.root.resolve()
    relative = PurePosixPath(Path(os.path.relpath(folder, root)).as_posix())
    if ".." in relative.parts:
        return (f"one worker process and no gunicorn configuration, but the app's package folder {folder} is "
                f"outside the root: {CONFIG_NAME} not written; run on that folder")
    return (relative / CONFIG_NAME).as_posix(), folder


def _folder_a_launcher_names(project: Project, candidate: Candidate) -> Path | None:
    """The folder from which a ``uvicorn.run("server.app:app")`` import string in the
    project names the app's module: the launcher's way of running it (its working
    folder decides where relative paths such as ``outputs/`` land)."""
    path = candidate.path.resolve()
    for _path, _info, tree in project.containing("uvicorn"):
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str) and ":" in call.args[0].value):
                continue
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr in ("run", "Config")):
                continue
            parts = call.args[0].value.partition(":")[0].split(".")
            for tail in (parts, [*parts, "__init__"]):
                if path.with_suffix("").parts[-len(tail):] == tuple(tail):
                    return path.parents[len(tail) - 1]
    return None


def _folder_its_imports_need(project: Project, candidate: Candidate, folder: Path) -> Path:
    """The deepest folder between ``folder`` and the app's module from which every
    top-level name the module imports absolutely, and that the project holds
    somewhere, is importable."""
    tops = {alias.name.split(".")[0] for node in candidate.tree.body if isinstance(node, ast.Import)
            for alias in node.names}
    tops |= {node.module.split(".")[0] for node in candidate.tree.body
             if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    chain = [folder, *[parent for parent in candidate.path.resolve().parents if folder in parent.parents]]
    chain = sorted(set(chain), key=lambda path: len(path.parts))

    def importable(base: Path, name: str) -> bool:
        return project.is_file(base / name / "__init__.py") or project.is_file(base / f"{name}.py")

    own = {name for name in tops if any(importable(base, name) for base in chain)}
    if not own or all(importable(folder, name) for name in own):
        return folder
    for base in chain:
        if all(importable(base, name) for name in own):
            return base
    return folder


def _start_command(project: Project, candidate: Candidate, folder: Path, config: str) -> str | None:
    """``cd <folder> && gunicorn -c gunicorn.conf.py app.main:app`` for the main app;
    None when gunicorn could not import it (an attribute, a method's local, a factory
    that needs arguments). A factory whose result a module binds at module level
    (``app = create_app()``, often with middleware or tracing added around it) is
    served through that name: what ``uvicorn app.main:app`` serves."""
    call = candidate.calls[0]
    target = target_of(candidate, call)
    scope = scope_of(candidate, call)
    path = candidate.path
    if target is not None and scope is None and "." not in target:
        app = target
    elif _is_plain_factory(candidate, scope):
        instances = _factory_instances(project, candidate, scope.name)  # type: ignore[union-attr]
        if len(instances) == 1:
            path, app = instances[0]
        else:
            app = f"{scope.name}()"  # type: ignore[union-attr]
    else:
        return None
    module = ".".join(PurePosixPath(Path(os.path.relpath(path.resolve(), folder)).as_posix())
                      .with_suffix("").parts)
    if module.startswith(".."):
        return None
    module = module.removesuffix(".__init__")
    if not all(part.isidentifier() for part in module.split(".")):
        return None  # ``café-2.py`` or a name that is not UTF-8: no import statement names it
    place = PurePosixPath(config).parent
    command = f"gunicorn -c {CONFIG_NAME} {module}:{app}"
    return command if place == PurePosixPath(".") else f"cd {place} && {command}"


def _factory_instances(project: Project, candidate: Candidate, factory: str) -> list[tuple[Path, str]]:
    """(module file, name) of each module-level ``name = factory(...)`` in the root."""
    full = f"{candidate.info.module}.{factory}"
    found = []
    for path, info, tree in project.containing(factory):
        imports = ImportMap(tree, info.package)
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            local = info.relpath == candidate.info.relpath and isinstance(func, ast.Name) and func.id == factory
            qualified = imports.qualified(func) or ""
            if local or (qualified and (full == qualified or full.endswith("." + qualified))):
                found.append((path, node.targets[0].id))
    return found


def _is_plain_factory(candidate: Candidate, scope: ast.AST | None) -> bool:
    """A module-level function gunicorn can call with no arguments (``app:create_app()``)."""
    if not isinstance(scope, ast.FunctionDef) or not isinstance(
            candidate.parents.get(scope), ast.Module):
        return False
    arguments = scope.args
    positional = [*arguments.posonlyargs, *arguments.args]
    return len(arguments.defaults) == len(positional) and None not in arguments.kw_defaults


def _dependency_edit(project: Project, declarations: list[Declaration], additions: list[Addition],
                     edits: dict[str, tuple[str, str]]) -> str | None:
    """Record the edit of the declaration file in ``edits``; the finding when it cannot."""
    standard = uvicorn_without_standard(declarations)
    declared = {item.normalized for item in declarations}
    additions = [addition for addition in additions if addition.name not in declared]  # added by a killed run
    fastapi = [item for item in declarations if item.normalized == "fastapi"]
    if additions and "uvicorn" not in declared and not any("standard" in item.extras for item in fastapi):
        additions = [*additions, UVICORN_STANDARD]
    if not standard and not additions:
        return None
    names = [addition.name for addition in additions if addition in (GUNICORN, UVICORN_WORKER)]
    if standard or UVICORN_STANDARD in additions:
        names.append("uvicorn[standard]")
    wanted = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    anchors = standard or fastapi
    files = sorted({item.path for item in anchors})
    if len(files) != 1:
        where = "no runtime declaration of fastapi was found" if not files else (
            "it is declared in several files (" + ", ".join(path.name for path in files) + ")")
        return f"add {wanted} to the project's dependencies by hand: {where}"
    path = files[0]
    text = project.text(path)
    shown = os.path.relpath(path, project.root.resolve())
    try:
        if text is None:
            raise EditRefused("it cannot be read")
        new = edit(text, path, anchors[0], anchors[0] if standard else None, additions)
    except (EditRefused, ValueError) as error:
        return f"add {wanted} to {shown} by hand: {error}"
    edits[Path(shown).as_posix()] = (text, new)
    return None
