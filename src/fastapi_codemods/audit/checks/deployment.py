"""Practice 15: production served with reload, by a single worker, or without uvloop.

Reads the application's modules (test code, test helpers and documentation snippets
aside) and the deployment files of the root and its parents up to the git work tree
(without one, up to the first folder holding packaging files; the root alone when
there is neither): ``Procfile``, ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``,
``docker-compose*.yml``/``compose*.yml`` (and ``.yaml``), ``gunicorn.conf.py``,
``gunicorn_conf.py``, and ``*.sh`` scripts that start a server, in each folder and in
its ``docker``, ``deploy``, ``deployment``, ``scripts`` and ``bin`` subfolders.

(a) Reload in production: ``uvicorn.run(..., reload=True)``, or a served
``uvicorn.Config(..., reload=True)`` (see (b)), with the literal ``True`` (any
import alias), unless inside an ``if`` whose test, or a function whose name,
mentions debug, dev, development, local or reload (``if settings.DEBUG:``;
``reload=settings.debug`` is no literal); and a ``--reload`` on a server command in
a ``Procfile`` or a ``Dockerfile`` whose name does not say dev (compose files and
scripts are often the development setup). Evidence at the call or line: FAIL.

(b) One worker process: workers are configured when a gunicorn config file exists,
``gunicorn`` is declared as a runtime dependency or imported by the application,
the application calls ``uvicorn.run(..., workers=...)`` or holds the string
``--workers``, ``WEB_CONCURRENCY`` or ``UVICORN_WORKERS`` (a CLI option, an
environment variable), or a deployment file mentions ``gunicorn``, ``--workers``,
``WEB_CONCURRENCY`` or ``UVICORN_WORKERS``. Otherwise each server start is
evidence, FAIL: a ``uvicorn module:app`` / ``fastapi run`` / ``hypercorn`` /
``granian`` command in a deployment file, or, outside an ``if __name__ ==
"__main__":`` block (so in a launcher the package ships), a ``uvicorn.run`` call or
a ``uvicorn.Config`` in a module that builds a ``uvicorn.Server`` (elsewhere a
Config may only be inspected, or served by a subclass in a thread: an embedded
server). With no such start but deployment files: FAIL, evidence at line 0. With
neither (a wheel, a bare source tree; a ``__main__`` block's ``uvicorn.run`` is a
development entry): NEEDS ATTENTION, evidence at line 0, "no deployment
configuration in this tree".

(c) No uvloop and httptools: ``uvicorn`` declared as a runtime dependency
(`analysis.dependencies`) without the ``standard`` extra while neither ``uvloop``
nor ``httptools`` is declared: evidence at the declaration, NEEDS ATTENTION (the
server runs, on the slower asyncio loop and h11 parser).

Verdict: FAIL when (a) or a FAIL of (b); else NEEDS ATTENTION when (b) found no
deployment configuration or (c); else PASS. No ``FastAPI()`` app: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.dependencies import PACKAGING_NAMES, Declaration, root_folder
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of, shorten
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
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
    r"\b(?:uvicorn|hypercorn|granian)\b[\"',\s]+(?:--?[\w-]+(?:[=\s][^\s\"',]+)?[\"',\s]+)*[\w.]+:[\w.()]+"
    r"|\bfastapi\b[\"',\s]+run\b"
)
START_MESSAGES = {
    "run": "uvicorn.run() without workers= serves from one process: pass workers= or serve with gunicorn",
    "Config": "uvicorn.Server serves this Config from one process: several workers need gunicorn or "
              "uvicorn.run(workers=...)",
}
WORKERS_MENTION = re.compile(r"\bgunicorn\b|--workers\b|\bWEB_CONCURRENCY\b|\bUVICORN_WORKERS\b")


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
    configures_workers = _imports_gunicorn(tree) or any(
        isinstance(node.value, str) and any(word in node.value for word in WORKER_STRINGS)
        for node in nodes_of(tree, ast.Constant)
    )
    if not any(imports.qualified(call.func) in SERVER_CALLS for call in nodes_of(tree, ast.Call)):
        return ServerSites((), (), configures_workers)
    for call, guarded, in_main_block in _calls_in_context(tree):
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
        elif served and not in_main_block:
            starts.append((*site, called))
    return ServerSites(tuple(reloads), tuple(starts), configures_workers)


def _imports_gunicorn(tree: ast.Module) -> bool:
    modules = [alias.name for node in nodes_of(tree, ast.Import) for alias in node.names]
    modules += [node.module or "" for node in nodes_of(tree, ast.ImportFrom) if not node.level]
    return any(module.split(".")[0] == "gunicorn" for module in modules)


def _calls_in_context(tree: ast.Module) -> Iterator[tuple[ast.Call, bool, bool]]:
    """Each call with whether a development test or function guards it and whether
    it is in an ``if __name__ == "__main__":`` block."""
    def visit(node: ast.AST, guarded: bool, in_main: bool) -> Iterator[tuple[ast.Call, bool, bool]]:
        if isinstance(node, ast.Call):
            yield node, guarded, in_main
        if isinstance(node, ast.If):
            in_main = in_main or _is_main_test(node.test)
            guarded = guarded or _mentions_development(node.test)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            guarded = guarded or bool(_words(node.name) & DEVELOPMENT_WORDS)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, guarded, in_main)
    yield from visit(tree, False, False)


def _is_main_test(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(item, ast.Constant) and item.value == "__main__" for item in test.comparators)
    )


def _mentions_development(test: ast.expr) -> bool:
    for node in walk(test):
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _words(text) & DEVELOPMENT_WORDS:
            return True
    return False


def _words(name: str) -> set[str]:
    return set(re.split(r"[^a-z]+", name.lower()))


SERVER_SITES = FilePass("audit.server_sites", NEEDLES, server_sites)
TRANSFORM = None
FILE_PASSES = (SERVER_SITES,)


def deployment_folders(project: Project) -> list[Path]:
    """The root, then its parents up to the git work tree (see the module)."""
    folder = root_folder(project)
    chain = [folder, *folder.parents]
    for index, candidate in enumerate(chain):
        if (candidate / ".git").exists():
            return chain[: index + 1]
    for index, candidate in enumerate(chain):
        if any((candidate / name).is_file() for name in PACKAGING_NAMES):
            return chain[: index + 1]
    return [folder]


def deployment_files(project: Project) -> list[Path]:
    found: list[Path] = []
    for folder in deployment_folders(project):
        for place in (folder, *(folder / name for name in SUBFOLDERS)):
            if not place.is_dir():
                continue
            for pattern in DEPLOYMENT_PATTERNS:
                found.extend(path for path in sorted(place.glob(pattern)) if path.is_file())
            found.extend(path for path in sorted(place.glob("*.sh"))
                         if path.is_file() and _starts_a_server(project.text(path) or ""))
    return list(dict.fromkeys(found))


def _starts_a_server(text: str) -> bool:
    return bool(SERVER_COMMAND.search(text) or WORKERS_MENTION.search(text))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("#"):
            yield number, line


def _reload_allowed_in(path: Path) -> bool:
    """Compose files and scripts are often the development setup; Procfiles and
    Dockerfiles whose name does not say dev are the production one."""
    is_production_kind = path.name == "Procfile" or "dockerfile" in path.name.lower()
    return not is_production_kind or bool(_words(path.name) & DEVELOPMENT_WORDS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for reload or a single worker in production, NEEDS ATTENTION for a tree
    without deployment configuration or without uvloop; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    sites = [(info, found) for _path, info, found in facts.application_results(SERVER_SITES)]
    files = deployment_files(project)
    failing: list[Evidence] = []
    attention: list[Evidence] = []
    for info, found in sites:
        for line, column, excerpt in found.reloads:
            failing.append(Evidence(info.path, line, column, excerpt,
                                    "reload=True outside a debug guard: the production server would watch files"))
    declarations = facts.declarations
    configures_workers = any(item.normalized == "gunicorn" for item in declarations) or any(
        found.configures_workers for _info, found in sites) or any(
        path.name in GUNICORN_CONFIGS for path in files
    ) or any(info.relpath.rpartition("/")[2] in GUNICORN_CONFIGS for _path, info in project.files)
    starts: list[Evidence] = []
    for path in files:
        text = project.text(path) or ""
        for number, line in _lines(text):
            if WORKERS_MENTION.search(line):
                configures_workers = True
            if SERVER_COMMAND.search(line):
                starts.append(facts.file_evidence(path, number, "starts the server with a single worker process"))
                if "--reload" in line and not _reload_allowed_in(path):
                    failing.append(facts.file_evidence(path, number, "--reload in a production server command"))
    for info, found in sites:
        for line, column, excerpt, called in found.starts:
            starts.append(Evidence(info.path, line, column, excerpt, START_MESSAGES[called]))
    if not configures_workers:
        if starts:
            failing.extend(starts)
        elif files:
            names = ", ".join(sorted({path.name for path in files}))
            failing.append(Evidence(facts.root, 0, 0, "", f"no workers configured in {shorten(names)}"))
        else:
            attention.append(Evidence(
                facts.root, 0, 0, "",
                "no deployment configuration in this tree: check production runs several workers",
            ))
    attention.extend(_uvicorn_without_standard(declarations, facts))
    if failing:
        return Outcome(Verdict.FAIL, tuple(failing + attention))
    if attention:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(attention))
    return Outcome(Verdict.PASS)


def _uvicorn_without_standard(declarations: list[Declaration], facts: AuditFacts) -> list[Evidence]:
    if any(item.normalized in ("uvloop", "httptools") for item in declarations):
        return []
    uvicorn = [item for item in declarations if item.normalized == "uvicorn"]
    if any("standard" in item.extras for item in uvicorn):
        return []
    return [
        facts.file_evidence(item.path, item.line,
                            "uvicorn without the [standard] extra: no uvloop or httptools, declare uvicorn[standard]")
        for item in uvicorn
    ]
