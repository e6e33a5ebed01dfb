"""Facts about how a project is served, for the audit's practice 15 and ``production_server``.

Stdlib ``ast`` and text only. The deployment files of a root are looked for in the
root and its parents up to the git work tree (without one, up to the first folder
holding packaging files; the root alone when there is neither): ``Procfile``,
``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``, ``docker-compose*.yml``/``compose*.yml``
(and ``.yaml``), ``gunicorn.conf.py``, ``gunicorn_conf.py``, and ``*.sh`` scripts that
start a server, in each folder and in its ``docker``, ``deploy``, ``deployment``,
``scripts`` and ``bin`` subfolders. `server_sites` is the per-module pass: literal
``reload=True`` outside a development guard, server starts without ``workers``.
`workers_setting` says where the project already configures several workers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.dependencies import (
    PACKAGING_NAMES,
    Declaration,
    root_folder,
)
from fastapi_codemods.analysis.excerpts import excerpt_of
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

SERVER_CALLS = frozenset({"uvicorn.run", "uvicorn.Config", "uvicorn.main.run", "uvicorn.config.Config"})
SERVERS = frozenset({"uvicorn.Server", "uvicorn.server.Server"})
WORKER_STRINGS = ("--workers", "WEB_CONCURRENCY", "UVICORN_WORKERS")
DEVELOPMENT_WORDS = frozenset({"debug", "dev", "develop", "development", "local", "reload"})
NEEDLES = ("uvicorn", "gunicorn", *WORKER_STRINGS)

GUNICORN_CONFIGS = ("gunicorn.conf.py", "gunicorn_conf.py")
SUBFOLDERS = ("docker", "deploy", "deployment", "scripts", "bin")
DEPLOYMENT_PATTERNS = ("Procfile", "Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile",
                       "docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml",
                       *GUNICORN_CONFIGS)
SERVER_COMMAND = re.compile(
    r"\b(?P<server>uvicorn|hypercorn|granian|gunicorn)\b[\"',\s]+(?:--?[\w-]+(?:[=\s][^\s\"',]+)?[\"',\s]+)*"
    r"[\w.]+:[\w.()]+"
    r"|\b(?P<fastapi>fastapi)\b[\"',\s]+run\b"
)
# Several workers named on a line: uvicorn, hypercorn, granian and gunicorn take
# ``--workers``; uvicorn (its CLI and its Config, so ``fastapi run`` too) and gunicorn
# read WEB_CONCURRENCY. A bare ``gunicorn`` is no such mention: it runs one worker
# unless ``-w``, its config or WEB_CONCURRENCY says otherwise.
WORKERS_MENTION = re.compile(r"--workers\b|\bWEB_CONCURRENCY\b|\bUVICORN_WORKERS\b")
GUNICORN = re.compile(r"\bgunicorn\b")
GUNICORN_WORKERS_FLAG = re.compile(r"(?:^|[\s\"',])-w(?:[\s\"',=]|\d|$)")
CONFIG_WORKERS = re.compile(r"^\s*workers\s*=", re.MULTILINE)


def configures_workers(line: str, config_sets_workers: bool) -> bool:
    """Whether ``line`` runs or sets several workers: a workers option or variable, or
    a gunicorn command with ``-w`` or a config (``-c``, or the ``gunicorn.conf.py``
    gunicorn loads by itself) that sets ``workers`` (``config_sets_workers``)."""
    if WORKERS_MENTION.search(line):
        return True
    return bool(GUNICORN.search(line)) and (bool(GUNICORN_WORKERS_FLAG.search(line)) or config_sets_workers)


def gunicorn_configs_set_workers(project: Project, files: Iterable[Path]) -> bool:
    """A gunicorn config among ``files`` or the root's modules that sets ``workers``."""
    paths = [path for path in files if path.name in GUNICORN_CONFIGS]
    paths += [path for path, info in project.files if info.relpath.rpartition("/")[2] in GUNICORN_CONFIGS]
    return any(CONFIG_WORKERS.search(project.text(path) or "") for path in paths)


class ServerSites(NamedTuple):
    """One module's server code: unguarded literal reloads, as (line, column,
    excerpt), and server starts without ``workers``, as (line, column, excerpt,
    called name); whether it configures workers."""

    reloads: tuple[tuple[int, int, str], ...]
    starts: tuple[tuple[int, int, str, str], ...]
    configures_workers: bool


def server_sites(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ServerSites:
    imports = ImportMap(tree, info.package, nested=True)
    reloads, starts = [], []
    # A Config is served from this module only when it builds a uvicorn.Server too:
    # elsewhere it may be inspected, or served by a subclass in a thread (an embedded server).
    serves_configs = any(imports.qualified(call.func) in SERVERS for call in nodes_of(tree, ast.Call))
    configures_workers = imports_gunicorn(tree) or any(
        isinstance(node.value, str) and any(word in node.value for word in WORKER_STRINGS)
        for node in nodes_of(tree, ast.Constant)
    )
    if not any(imports.qualified(call.func) in SERVER_CALLS for call in nodes_of(tree, ast.Call)):
        return ServerSites((), (), configures_workers)
    for call, guarded, in_main_block in calls_in_context(tree):
        qualified = imports.qualified(call.func)
        if qualified not in SERVER_CALLS:
            continue
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        site = (call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno))
        reload = keywords.get("reload")
        called = qualified.rpartition(".")[2]
        served = called == "run" or serves_configs
        if isinstance(reload, ast.Constant) and reload.value is True and not guarded and served:
            reloads.append(site)
        if "workers" in keywords:
            configures_workers = True
        elif served and not in_main_block and not guarded:
            starts.append((*site, called))
    return ServerSites(tuple(reloads), tuple(starts), configures_workers)


def imports_gunicorn(tree: ast.Module) -> bool:
    modules = [alias.name for node in nodes_of(tree, ast.Import) for alias in node.names]
    modules += [node.module or "" for node in nodes_of(tree, ast.ImportFrom) if not node.level]
    return any(module.split(".")[0] == "gunicorn" for module in modules)


def calls_in_context(tree: ast.Module) -> Iterator[tuple[ast.Call, bool, bool]]:
    """Each call with whether a development test or function guards it and whether
    it is in an ``if __name__ == "__main__":`` block."""
    def visit(node: ast.AST, guarded: bool, in_main: bool) -> Iterator[tuple[ast.Call, bool, bool]]:
        if isinstance(node, ast.Call):
            yield node, guarded, in_main
        if isinstance(node, ast.If):
            in_main = in_main or is_main_test(node.test)
            guarded = guarded or mentions_development(node.test)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # A CLI command named for development (``def develop()``, ``@cli.command("dev")``).
            guarded = guarded or bool(words(node.name) & DEVELOPMENT_WORDS) or any(
                bool(words(name) & DEVELOPMENT_WORDS) for name in command_names(node))
        for child in ast.iter_child_nodes(node):
            yield from visit(child, guarded, in_main)
    yield from visit(tree, False, False)


def command_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The names a CLI registers the function under: ``@cli.command("develop")``,
    ``@app.command(name="dev")`` (not its options: ``--reload`` is no command name)."""
    names = []
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not called.endswith("command"):
            continue
        values = [*decorator.args[:1], *(k.value for k in decorator.keywords if k.arg == "name")]
        names += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return names


def is_main_test(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(item, ast.Constant) and item.value == "__main__" for item in test.comparators)
    )


def mentions_development(test: ast.expr) -> bool:
    for node in walk(test):
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if words(text) & DEVELOPMENT_WORDS:
            return True
    return False


def words(name: str) -> set[str]:
    return set(re.split(r"[^a-z]+", name.lower()))


SERVER_SITES = FilePass("audit.server_sites", NEEDLES, server_sites)


def deployment_folders(project: Project) -> list[Path]:
    """The root, then its parents up to the git work tree; without one, up to the
    first folder holding packaging files; without either, the root alone."""
    folder = root_folder(project)
    chain = [folder, *folder.parents]
    for index, candidate in enumerate(chain):
        if project.exists(candidate / ".git"):
            return chain[: index + 1]
    for index, candidate in enumerate(chain):
        if any(project.is_file(candidate / name) for name in PACKAGING_NAMES):
            return chain[: index + 1]
    return [folder]


def deployment_files(project: Project, app_folders: Iterable[Path] = ()) -> list[Path]:
    """The deployment files of `deployment_folders`, then of ``app_folders`` (the
    folders of the app's own modules and those between them and the root, where a
    ``backend/Dockerfile`` sits), each with its `SUBFOLDERS` and their own
    sub-folders (``docker/api/Dockerfile``)."""
    found: list[Path] = []
    parents = deployment_folders(project)
    # The sub-folders of a parent's `SUBFOLDERS` may be other projects (a parent named ``deploy``).
    deep = {parents[0], *app_folders}
    for folder in dict.fromkeys([*parents, *app_folders]):
        places = [folder]
        for name in SUBFOLDERS:
            if project.is_dir(folder / name):
                places.append(folder / name)
                if folder in deep:
                    places.extend(path for path in project.glob(folder / name, "*") if project.is_dir(path))
        for place in places:
            if not project.is_dir(place):
                continue
            for pattern in DEPLOYMENT_PATTERNS:
                found.extend(path for path in project.glob(place, pattern) if project.is_file(path))
            found.extend(path for path in project.glob(place, "*.sh")
                         if project.is_file(path) and starts_a_server(project.text(path) or ""))
    return list(dict.fromkeys(found))


def starts_a_server(text: str) -> bool:
    return bool(SERVER_COMMAND.search(text) or WORKERS_MENTION.search(text) or GUNICORN.search(text))


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("#"):
            yield number, line


def workers_setting(project: Project, declarations: Iterable[Declaration],
                    sites: Iterable[ServerSites], files: Iterable[Path],
                    ignored: Collection[Path] = ()) -> str | None:
    """Where the project already runs several workers (a short phrase for a
    reviewer), or None: a declared or imported ``gunicorn``, a gunicorn config file
    (but the ``ignored`` ones), ``workers=`` or a workers option in the application,
    or a deployment file mentioning ``--workers``, ``WEB_CONCURRENCY`` or
    ``UVICORN_WORKERS``, or running gunicorn with ``-w`` or a config setting ``workers``
    (`configures_workers`: a bare ``gunicorn`` runs one worker)."""
    files = list(files)
    configs = [path.name for path in files if path.name in GUNICORN_CONFIGS]
    configs += [info.relpath for path, info in project.files
                if info.relpath.rpartition("/")[2] in GUNICORN_CONFIGS and path not in ignored]
    if configs:
        return f"{configs[0]} exists"
    if any(item.normalized == "gunicorn" for item in declarations):
        return "gunicorn is a declared dependency"
    if any(found.configures_workers for found in sites):
        return "the application configures workers"
    config_workers = gunicorn_configs_set_workers(project, files)
    for path in files:
        if any(configures_workers(line, config_workers) for _number, line in code_lines(project.text(path) or "")):
            return f"{path.name} configures workers"
    return None


def uvicorn_without_standard(declarations: Iterable[Declaration]) -> list[Declaration]:
    """The ``uvicorn`` declarations that give neither uvloop nor httptools: no
    ``standard`` extra on any of them, and neither package declared on its own."""
    declarations = list(declarations)
    if any(item.normalized in ("uvloop", "httptools") for item in declarations):
        return []
    uvicorn = [item for item in declarations if item.normalized == "uvicorn"]
    if any("standard" in item.extras for item in uvicorn):
        return []
    return uvicorn
