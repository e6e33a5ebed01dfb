"""Practice 2: sync client libraries used from async code.

A sync client called from async code blocks the event loop; the same client in a
sync ``def`` route, a Celery task, a command-line program or an alembic migration
runs outside it (FastAPI runs sync routes in the thread pool) and is correct. So a
library is judged by where it is called, not by being declared.

Evidence (`audit.async_reach`, as practice 1 reads it): a call of a sync client
reached from an async entry point (route, dependency, middleware, background task),
in its own body or through the project functions it calls, with the path:
``requests.*``, a sync ``httpx`` client, ``urllib3``, ``psycopg2``/``psycopg``/
``pymysql`` connections, ``pymongo.MongoClient``, ``redis.Redis``, ``smtplib.SMTP``,
``boto3`` clients (the library of a blocking call in `analysis.blocking_calls`), and
queries on a synchronous SQLAlchemy/SQLModel session (a sync driver under it). Not
evidence: a module that uses the same library's async API too (a sync twin of an
async API, on purpose), a redis client where the project uses RQ (which takes only
sync connections).

Declarations (`analysis.dependencies.runtime_declarations`: ``requests``,
``psycopg2``, ``pymongo``, ``redis``) are not evidence: the PASS names the declared
sync libraries that no async code reaches. Any evidence: FAIL. An app, router or
route and none: PASS. Neither: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, absolute_module
from fastapi_codemods.analysis.blocking_calls import CLIENT_LIBRARIES
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.program_model import PROGRAM_FACTS
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS
from fastapi_codemods.audit.async_reach import AsyncReach, Leaf
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
ADVICE.update({"httpx": "`httpx.AsyncClient`", "urllib3": "httpx", "psycopg": "psycopg 3's `AsyncConnection`",
               "pymysql": "aiomysql or asyncmy", "MySQLdb": "aiomysql or asyncmy", "mysql": "aiomysql or asyncmy",
               "boto3": "aioboto3", "smtplib": "aiosmtplib"})
SESSION_ADVICE = "an `AsyncSession` over an async driver (asyncpg, psycopg 3, aiosqlite)"
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
TRANSFORM = None
FILE_PASSES = (LIBRARY_USES, REQUEST_CALLS, PROGRAM_FACTS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each sync client async code reaches; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    declared_names = {item.normalized for item in facts.declarations}
    uses = {info.relpath: use for _path, info, use in facts.application_results(LIBRARY_USES)}
    uses_rq = NEEDS_SYNC_REDIS in declared_names or any(use.imports_rq for use in uses.values())
    reach = AsyncReach.of(project, facts)
    relpaths = {path: relpath for relpath, path in reach.functions.paths.items()}
    evidence: set[Evidence] = set()
    for leaf in reach.leaves():
        library = _library(leaf)
        if library is None:
            continue
        use = uses.get(relpaths.get(leaf.path, ""))
        if use is not None and library in use.async_apis or library == "redis" and uses_rq:
            continue
        if library == "sqlalchemy":
            what = f"a synchronous database session, reached from async code, blocks the event loop: prefer " \
                   f"{SESSION_ADVICE}"
        else:
            what = f"{library} is a sync client, reached from async code: prefer {ADVICE.get(library, 'its async twin')}"
        evidence.add(reach.functions.evidence(leaf.path, leaf.shown, leaf.call, f"{leaf.trail()}: {what}"))
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    declared = sorted({SYNC_DISTRIBUTIONS[item.normalized][0] for item in facts.declarations
                       if item.normalized in SYNC_DISTRIBUTIONS})
    called = sum(1 for use in uses.values() if use.sync_sites)
    tail = f"; declared sync libraries ({', '.join(declared)}) are used only outside async code" if declared else ""
    counts = {kind: len(found) for kind, found in reach.entries.items()}
    return Outcome(Verdict.PASS, reason=(
        f"{sum(counts.values())} async entry points checked with the project functions they call: no sync client "
        f"library (requests, psycopg2, pymongo, redis, boto3, a sync SQLAlchemy session) reached; {called} "
        f"application modules call a sync client outside async code (sync routes, workers, scripts){tail}"))


def _library(leaf: Leaf) -> str | None:
    """The client library a leaf uses: ``sqlalchemy`` for a sync session."""
    if leaf.kind == "session":
        return "sqlalchemy"
    if leaf.kind != "blocking":
        return None
    library = leaf.call.name.split(".")[0]
    return library if library in CLIENT_LIBRARIES else None
