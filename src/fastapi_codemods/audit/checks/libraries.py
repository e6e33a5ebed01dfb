"""Practice 2: sync client libraries where an async one is the norm.

A sync client called from an ``async def`` endpoint blocks the event loop; an async
FastAPI backend should pick the async client from the start. Looks for:

- ``requests`` (use httpx), ``psycopg2`` / ``psycopg2-binary`` (use asyncpg or
  psycopg 3): always;
- ``pymongo``, unless ``motor`` is declared or imported too, or the application uses
  pymongo's own async API (``AsyncMongoClient``, ``pymongo.asynchronous``);
- ``redis``, unless the application imports ``redis.asyncio`` (``import
  redis.asyncio``, ``from redis import asyncio``, ``from redis.asyncio import ...``).

Evidence is the declaration line of each such runtime dependency
(`analysis.dependencies.runtime_declarations`: PEP 621 and Poetry ``pyproject.toml``,
``Pipfile``, ``setup.cfg``, ``setup.py``, runtime ``requirements*.txt``, an unpacked
wheel's ``METADATA``; from the root up to the git work tree). The application's code
(test code, test helpers and documentation snippets aside) counts too: an import of
``requests`` or ``psycopg2``, a sync ``pymongo.MongoClient`` or ``redis.Redis`` (and
the other sync redis clients) is evidence when the library is not declared (no
packaging file here, or it comes in through another package) or when its
declaration is excused (redis used both ways). So a tree without packaging files is
decided by its code alone: imports of none of these libraries is a PASS, since the
code is what runs. Any: FAIL. An app, router or route and none: PASS. Neither:
NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.dependencies import runtime_declarations
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
# Libraries whose every import is a sync client; for the others, only these uses are.
WHOLLY_SYNC = frozenset({"requests", "psycopg2"})
SYNC_CLIENTS = frozenset({
    "pymongo.MongoClient", "pymongo.mongo_client.MongoClient",
    "redis.Redis", "redis.StrictRedis", "redis.from_url", "redis.ConnectionPool", "redis.BlockingConnectionPool",
    "redis.RedisCluster", "redis.Sentinel", "redis.client.Redis", "redis.client.StrictRedis",
    "redis.cluster.RedisCluster", "redis.sentinel.Sentinel",
})
ASYNC_APIS = {"redis": ("redis.asyncio",), "pymongo": ("pymongo.AsyncMongoClient", "pymongo.asynchronous", "motor")}
NEEDLES = ("requests", "psycopg2", "pymongo", "redis", "motor")


class LibraryUse(NamedTuple):
    """One file's use of the libraries: the sync sites, (line, column, excerpt,
    library), and the libraries whose async API it uses."""

    sync_sites: tuple[tuple[int, int, str, str], ...]
    async_apis: frozenset[str]


def library_uses(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> LibraryUse:
    sites: dict[tuple[str, int], tuple[int, int, str, str]] = {}
    async_apis: set[str] = set()

    def add(node: ast.AST, library: str) -> None:
        sites.setdefault((library, node.lineno), (node.lineno, node.col_offset + 1, excerpt_of(text, node.lineno), library))

    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        for module in _imported_modules(node, info.package):
            top = module.split(".")[0]
            if top in WHOLLY_SYNC:
                add(node, top)
            _note_async(module, async_apis)
    imports = ImportMap(tree, info.package, nested=True)
    for node in nodes_of(tree, ast.Attribute, ast.Name):
        qualified = imports.qualified(node)
        if qualified is None:
            continue
        if qualified in SYNC_CLIENTS:
            add(node, qualified.split(".")[0])
        _note_async(qualified, async_apis)
    return LibraryUse(tuple(sorted(sites.values())), frozenset(async_apis))


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
TRANSFORM = None
FILE_PASSES = (LIBRARY_USES,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each sync client library declared or used; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    declarations = list(runtime_declarations(project))
    declared_names = {item.normalized for item in declarations}
    uses = [(info, use) for _path, info, use in facts.application_results(LIBRARY_USES)]
    async_apis = {library for _info, use in uses for library in use.async_apis}
    if "motor" in declared_names:
        async_apis.add("pymongo")
    evidence = []
    declared_sync: set[str] = set()
    for item in declarations:
        if item.normalized not in SYNC_DISTRIBUTIONS:
            continue
        library, advice = SYNC_DISTRIBUTIONS[item.normalized]
        if library in async_apis:
            continue
        declared_sync.add(library)
        evidence.append(facts.file_evidence(
            item.path, item.line, f"{item.name} is a sync client declared as a runtime dependency: prefer {advice}"
        ))
    for info, use in uses:
        for line, column, excerpt, library in use.sync_sites:
            if library not in declared_sync:
                evidence.append(Evidence(info.path, line, column, excerpt,
                                         f"{library} is a sync client: prefer {ADVICE[library]}"))
    return Outcome(Verdict.FAIL, tuple(evidence)) if evidence else Outcome(Verdict.PASS)
