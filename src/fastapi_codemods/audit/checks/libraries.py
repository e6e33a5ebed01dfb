"""Practice 2: sync client libraries where an async one is the norm.

A sync client called from an ``async def`` endpoint blocks the event loop; an async
FastAPI backend should pick the async client from the start.

Declarations: each runtime dependency (`analysis.dependencies.runtime_declarations`:
PEP 621 and Poetry ``pyproject.toml``, ``Pipfile``, ``setup.cfg``, ``setup.py``,
runtime ``requirements*.txt``, an unpacked wheel's ``METADATA``; from the root up to
the git work tree) on ``requests`` (prefer httpx), ``psycopg2`` or
``psycopg2-binary`` (asyncpg or psycopg 3), ``pymongo`` unless ``motor`` is declared
or the application uses pymongo's async API (``AsyncMongoClient``,
``pymongo.asynchronous``, ``motor``), and ``redis`` unless the application imports
or names ``redis.asyncio`` (``import redis.asyncio``, ``from redis import asyncio``)
or uses RQ (declares or imports ``rq``, which takes only sync connections). Evidence
at the declaration line.

Code: in the application's modules (test code, test helpers, documentation
snippets, command-line programs and the modules only they import, whose calls do
not run in the event loop, aside), each call of a sync client, under any import alias: ``requests.get/post/put/
patch/delete/head/options/request`` (an import alone, to catch its exceptions, is
no use; a ``Session()`` or ``Request()`` sends nothing itself and is often what a
library demands: SigV4 signing, OpenTelemetry's exporter), ``psycopg2.connect`` and
``psycopg2.pool``, ``pymongo.MongoClient``, ``redis.Redis``/``StrictRedis``/
``from_url``/``RedisCluster``/``Sentinel``/connection pools (and their
``from_url``). Evidence at the call when the library is not declared (there is no
packaging file, or another package brings it in), unless the same module uses the
library's async API too (a sync twin of an async API, on purpose) or, for redis,
the project uses RQ. A tree without packaging files is so decided by its code: one
that calls none of these clients passes, since the code is what runs.

Any evidence: FAIL. An app, router or route and none: PASS. Neither: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any, NamedTuple

from fastapi_codemods.analysis import programs
from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

# Declared distribution -> (library as imported, the async choice to name).
SYNC_DISTRIBUTIONS = {
    "requests": ("requests", "httpx"),
    "psycopg2": ("psycopg2", "asyncpg or psycopg 3"),
    "psycopg2-binary": ("psycopg2", "asyncpg or psycopg 3"),
    "pymongo": ("pymongo", "motor or pymongo's AsyncMongoClient"),
    "redis": ("redis", "redis.asyncio"),
}
ADVICE = {library: advice for library, advice in SYNC_DISTRIBUTIONS.values()}
SYNC_CLIENTS = frozenset({
    "psycopg2.connect", "pymongo.MongoClient", "pymongo.mongo_client.MongoClient",
    "redis.Redis", "redis.StrictRedis", "redis.from_url", "redis.ConnectionPool", "redis.BlockingConnectionPool",
    "redis.RedisCluster", "redis.Sentinel", "redis.client.Redis", "redis.client.StrictRedis",
    "redis.cluster.RedisCluster", "redis.sentinel.Sentinel",
})
# requests' own calls that send a request; a Session() or Request() alone sends
# nothing (SigV4 signing builds a Request, OpenTelemetry's exporter takes a Session).
REQUESTS_CALLS = frozenset(f"requests.{verb}" for verb in
                           ("get", "post", "put", "patch", "delete", "head", "options", "request"))
ASYNC_APIS = {"redis": ("redis.asyncio",), "pymongo": ("pymongo.AsyncMongoClient", "pymongo.asynchronous", "motor")}
# RQ, the Redis task queue, takes only sync redis connections.
NEEDS_SYNC_REDIS = "rq"
NEEDLES = ("requests", "psycopg2", "pymongo", "redis", "motor")


class LibraryUse(NamedTuple):
    """One file's use of the libraries: the sync client calls, (line, column,
    excerpt, library); the libraries whose async API it uses; whether it imports RQ."""

    sync_sites: tuple[tuple[int, int, str, str], ...]
    async_apis: frozenset[str]
    imports_rq: bool


def library_uses(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> LibraryUse:
    sites: dict[tuple[str, int], tuple[int, int, str, str]] = {}
    async_apis: set[str] = set()
    imports_rq = False
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        for module in _imported_modules(node, info.package):
            _note_async(module, async_apis)
            imports_rq = imports_rq or module.split(".")[0] == NEEDS_SYNC_REDIS
    imports = ImportMap(tree, info.package, nested=True)
    for node in nodes_of(tree, ast.Attribute, ast.Name):
        qualified = imports.qualified(node)
        if qualified is not None:
            _note_async(qualified, async_apis)
    for call in nodes_of(tree, ast.Call):
        library = _sync_client(imports.qualified(call.func))
        if library is not None:
            site = (call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), library)
            sites.setdefault((library, call.lineno), site)
    return LibraryUse(tuple(sorted(sites.values())), frozenset(async_apis), imports_rq)


def _sync_client(qualified: str | None) -> str | None:
    """The library a call of ``qualified`` uses a sync client of (``requests.get``,
    ``redis.Redis.from_url``), or None."""
    if qualified is None:
        return None
    owner = qualified.rpartition(".")[0]
    if qualified in SYNC_CLIENTS or owner in SYNC_CLIENTS or qualified in REQUESTS_CALLS \
            or qualified.startswith("psycopg2.pool."):
        return qualified.split(".")[0]
    return None


def _imported_modules(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The absolute names an import statement reads: ``from redis import asyncio``
    reads ``redis.asyncio``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        return []  # the project's own modules
    base = absolute_module(node, package)
    return [f"{base}.{alias.name}" for alias in node.names]


def _note_async(qualified: str, found: set[str]) -> None:
    for library, apis in ASYNC_APIS.items():
        if any(qualified == api or qualified.startswith(api + ".") for api in apis):
            found.add(library)


LIBRARY_USES = FilePass("audit.library_uses", NEEDLES, library_uses)
# command_line_programs reads print_to_logging's passes, under its options.
TRANSFORM = "print_to_logging"
FILE_PASSES = (programs.PROGRAM_KINDS, programs.COMMAND_HANDLERS, programs.OWN_IMPORTS, LIBRARY_USES)


def command_line_modules(project: Project, facts: AuditFacts) -> set[str]:
    """Relpaths of the command-line programs and of their helpers: modules that only
    they import (directly or through other helpers) and that are not part of the
    web app, as test helpers are to tests."""
    found = set(programs.command_line_programs(project))
    importers: dict[str, set[str]] = {}
    for _path, info, imported in project.results(programs.OWN_IMPORTS, {}):
        for module in imported:
            importers.setdefault(module, set()).add(info.relpath)
    candidates = {
        info.module: info.relpath for _path, info in project.files
        if info.relpath in facts.roles and not facts.roles[info.relpath].web_app
    }
    while True:
        helpers = {
            relpath for module, relpath in candidates.items()
            if relpath not in found and importers.get(module) and importers[module] <= found
        }
        if not helpers:
            return found
        found |= helpers


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each sync client library declared or used; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    declarations = facts.declarations
    declared_names = {item.normalized for item in declarations}
    command_line = command_line_modules(project, facts)
    uses = [(info, use) for _path, info, use in facts.application_results(LIBRARY_USES)
            if info.relpath not in command_line]
    async_apis = {library for _info, use in uses for library in use.async_apis}
    if "motor" in declared_names:
        async_apis.add("pymongo")
    uses_rq = NEEDS_SYNC_REDIS in declared_names or any(use.imports_rq for _info, use in uses)
    evidence = []
    declared_sync: set[str] = set()
    for item in declarations:
        if item.normalized not in SYNC_DISTRIBUTIONS:
            continue
        library, advice = SYNC_DISTRIBUTIONS[item.normalized]
        if library in async_apis or library == "redis" and uses_rq:
            continue
        declared_sync.add(library)
        evidence.append(facts.file_evidence(
            item.path, item.line, f"{item.name} is a sync client declared as a runtime dependency: prefer {advice}"
        ))
    for info, use in uses:
        for line, column, excerpt, library in use.sync_sites:
            # Declared, the declaration stands for its uses; a module using both
            # APIs of a library offers a sync twin on purpose.
            if library in declared_sync or library in use.async_apis or library == "redis" and uses_rq:
                continue
            evidence.append(Evidence(info.path, line, column, excerpt,
                                     f"{library} sync client: prefer {ADVICE[library]}"))
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    return Outcome(Verdict.PASS, reason=f"{len(declarations)} runtime dependency declarations and "
                                        f"{len(uses)} application modules checked: no sync client (requests, "
                                        "psycopg2, pymongo, redis) without its async twin")
