"""Practice 11: database engines created without pool settings, or per request.

In the application's modules (test code, test helpers and documentation snippets
aside), each call of SQLAlchemy's ``create_engine`` or ``create_async_engine`` (and
SQLModel's ``create_engine``), under any import alias, including imports inside
functions:

- without any of ``pool_size``, ``max_overflow``, ``pool_pre_ping``,
  ``pool_recycle``, ``pool_timeout`` or ``poolclass``: evidence, unless its URL is a
  string literal (or f-string) starting with ``sqlite``, which needs no pool; a URL
  read from settings may be SQLite too, and the message says so; an engine in the
  body of an ``if`` whose test names ``sqlite`` is SQLite's. Keywords passed
  through ``**options`` count when ``options`` is a dict the same function (or the
  module) builds from a literal, ``dict(...)``, ``options["pool_size"] = ...`` or
  ``options.update(...)``;
- with ``poolclass=NullPool``: evidence, a connection is opened and closed on every
  checkout (no pool; right only behind an external pooler such as PgBouncer);
- with ``**kwargs`` and none of those keywords: undecidable, evidence that needs
  attention;
- inside a route (`analysis.routes`: decorated ``@X.get/post/...`` or passed to
  ``X.add_api_route``), or inside a function of the same module that a route calls
  by name: evidence, since the engine and its pool are then built on every request.

Engines of command-line programs (`analysis.programs`: an alembic ``env.py``, a
script's one-off engine) are not the app's engine and are not evidence.

A pool of another library (``asyncpg.create_pool``, ``psycopg_pool`` pools,
``databases.Database``) is pooling: it is evidence only when created per request;
its defaults (asyncpg's 10 connections) are left alone. Verdict: any evidence but
``**kwargs``: FAIL; only ``**kwargs``: NEEDS ATTENTION; engines or pools and no
evidence: PASS; an app, router or route but no engine or pool created: NOT
APPLICABLE ("no database engine created"); no app, router or route: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import programs, routes
from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

ENGINES = frozenset({
    "sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.engine.create.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine", "sqlalchemy.ext.asyncio.engine.create_async_engine",
    "sqlmodel.create_engine",
})
OTHER_POOLS = frozenset({
    "asyncpg.create_pool", "asyncpg.pool.create_pool", "psycopg_pool.ConnectionPool",
    "psycopg_pool.AsyncConnectionPool", "databases.Database",
})
POOL_SETTINGS = frozenset({"pool_size", "max_overflow", "pool_pre_ping", "pool_recycle", "pool_timeout", "poolclass"})
NEEDLES = ("create_engine", "create_async_engine", "create_pool", "ConnectionPool", "Database")

CREATED = "created"  # an engine or pool that is fine
NO_POOL_SETTINGS = "no pool settings"
KWARGS = "kwargs"
PER_REQUEST = "per request"
NULL_POOL = "null pool"
NULL_POOLS = frozenset({"sqlalchemy.pool.NullPool", "sqlalchemy.NullPool", "sqlalchemy.pool.impl.NullPool"})


def engine_creations(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                     ) -> tuple[tuple[int, int, str, str], ...]:
    """(line, column, excerpt, state) of each engine or pool creation; state is one
    of CREATED, NO_POOL_SETTINGS, KWARGS, NULL_POOL and PER_REQUEST."""
    imports = ImportMap(tree, info.package, nested=True)
    creations = [(call, imports.qualified(call.func)) for call in nodes_of(tree, ast.Call)]
    creations = [(call, name) for call, name in creations if name in ENGINES or name in OTHER_POOLS]
    if not creations:
        return ()
    per_request = _per_request_functions(tree)
    enclosing = _enclosing_functions(tree)
    # A module function passing its own **kwargs to the engine is a wrapper: the
    # calls of it in the module are the engines, judged by their own keywords.
    wrappers = {function.name: qualified for call, qualified in creations
                if isinstance(function := enclosing.get(id(call)), (ast.FunctionDef, ast.AsyncFunctionDef))
                and function in tree.body and _passes_own_kwargs(call, function)}
    wrapped = [(call, wrappers[call.func.id]) for call in nodes_of(tree, ast.Call)
               if isinstance(call.func, ast.Name) and call.func.id in wrappers]
    if wrapped:
        creations = [(call, name) for call, name in creations
                     if getattr(enclosing.get(id(call)), "name", None) not in wrappers] + wrapped
    sqlite_branch = _sqlite_branches(tree)
    found = []
    for call, qualified in creations:
        function = enclosing.get(id(call))
        keywords = {keyword.arg for keyword in call.keywords}
        keywords |= _spread_keys(call, function or tree)
        if function in per_request:
            state = PER_REQUEST
        elif _null_pool(call, imports):
            state = CREATED if _pool_in_other_branch(call, tree, imports) else NULL_POOL
        elif qualified in OTHER_POOLS or POOL_SETTINGS & keywords or _is_sqlite(call) or id(call) in sqlite_branch:
            state = CREATED
        elif None in keywords:
            state = KWARGS
        else:
            state = NO_POOL_SETTINGS
        found.append((call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), state))
    return tuple(sorted(found))


def _sqlite_branches(tree: ast.Module) -> set[int]:
    """Ids of the calls in the body of an ``if`` whose test names ``sqlite``
    (``if "sqlite" in DATABASE_URL:``, ``if settings.database_is_sqlite:``)."""
    found: set[int] = set()
    for node in nodes_of(tree, ast.If):
        mentions = any(
            isinstance(part, ast.Constant) and isinstance(part.value, str) and "sqlite" in part.value.lower()
            or isinstance(part, ast.Name) and "sqlite" in part.id.lower()
            or isinstance(part, ast.Attribute) and "sqlite" in part.attr.lower()
            for part in ast.walk(node.test))
        if mentions:
            found.update(id(inner) for statement in node.body for inner in ast.walk(statement)
                         if isinstance(inner, ast.Call))
    return found


def _passes_own_kwargs(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    kwarg = function.args.kwarg
    return kwarg is not None and any(
        keyword.arg is None and any(isinstance(node, ast.Name) and node.id == kwarg.arg
                                    for node in ast.walk(keyword.value))
        for keyword in call.keywords)


def _pool_in_other_branch(call: ast.Call, tree: ast.Module, imports: ImportMap) -> bool:
    """``call`` (a NullPool engine) sits in a branch of an ``if`` whose other branch
    builds an engine with pool settings: a setting chooses, NullPool is the opt-out."""
    for node in nodes_of(tree, ast.If):
        for mine, other in ((node.body, node.orelse), (node.orelse, node.body)):
            if not any(call is inner for statement in mine for inner in ast.walk(statement)):
                continue
            if any(isinstance(inner, ast.Call) and not _null_pool(inner, imports)
                   and POOL_SETTINGS & {keyword.arg for keyword in inner.keywords}
                   for statement in other for inner in ast.walk(statement)):
                return True
    return False


def _null_pool(call: ast.Call, imports: ImportMap) -> bool:
    return any(keyword.arg == "poolclass" and imports.qualified(keyword.value) in NULL_POOLS
               for keyword in call.keywords)


def _spread_keys(call: ast.Call, scope: ast.AST) -> set[str]:
    """The keys a ``**name`` argument of ``call`` may hold, when ``scope`` (the
    enclosing function, else the module) builds ``name`` as a dict it can read."""
    spread = {keyword.value.id for keyword in call.keywords
              if keyword.arg is None and isinstance(keyword.value, ast.Name)}
    if not spread:
        return set()
    keys: set[str] = set()
    for node in walk(scope):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in spread:
                    keys |= _dict_keys(node.value)
                elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                      and target.value.id in spread and isinstance(target.slice, ast.Constant)
                      and isinstance(target.slice.value, str)):
                    keys.add(target.slice.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
              and isinstance(node.func.value, ast.Name) and node.func.value.id in spread):
            keys |= {keyword.arg for keyword in node.keywords if keyword.arg}
            for argument in node.args:
                keys |= _dict_keys(argument)
    return keys


def _dict_keys(value: ast.AST | None) -> set[str]:
    if isinstance(value, ast.Dict):
        return {key.value for key in value.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        return {keyword.arg for keyword in value.keywords if keyword.arg}
    return set()


def _enclosing_functions(tree: ast.Module) -> dict[int, ast.AST]:
    """id(node) -> the innermost function holding it; walk order visits outer
    functions first, so inner ones overwrite them."""
    enclosing: dict[int, ast.AST] = {}
    for function in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
        for node in walk(function)[1:]:
            enclosing[id(node)] = function
    return enclosing


def _per_request_functions(tree: ast.Module) -> set[ast.AST]:
    """The routes of the module, and its module-level functions a route calls by name."""
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    route_functions = set(routes.routes(tree))
    by_name = {node.name: node for node in functions}
    called = {
        by_name[call.func.id]
        for route in route_functions
        for call in walk(route)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in by_name
    }
    return route_functions | called


def _is_sqlite(call: ast.Call) -> bool:
    """The URL (first argument or ``url=``) is a literal starting with ``sqlite``."""
    urls = [keyword.value for keyword in call.keywords if keyword.arg == "url"] or call.args[:1]
    if not urls:
        return False
    url = urls[0]
    if isinstance(url, ast.JoinedStr) and url.values:
        url = url.values[0]
    return isinstance(url, ast.Constant) and isinstance(url.value, str) and url.value.startswith("sqlite")


ENGINE_CREATIONS = FilePass("audit.engine_creations", NEEDLES, engine_creations)
TRANSFORM = None
FILE_PASSES = (ENGINE_CREATIONS, programs.PROGRAM_KINDS, programs.OWN_IMPORTS, programs.COMMAND_HANDLERS)

MESSAGES = {
    NO_POOL_SETTINGS: "engine created with the default pool: set pool_size, max_overflow and pool_pre_ping "
                      "(unless its URL is SQLite)",
    KWARGS: "engine options come from **kwargs: check they set the pool size and pre-ping",
    PER_REQUEST: "engine or pool created on every request: create it once at start-up and share it",
    NULL_POOL: "engine created with NullPool: every checkout opens a new connection (no pooling; right only "
               "behind an external pooler such as PgBouncer)",
}


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for engines without pool settings or created per request; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    created = 0
    evidence = []
    undecided = 0
    commands = programs.command_line_programs(project)
    skipped = 0
    for _path, info, found in facts.application_results(ENGINE_CREATIONS):
        if info.relpath in commands:
            skipped += len(found)
            continue
        for line, column, excerpt, state in found:
            created += 1
            if state != CREATED:
                undecided += state == KWARGS
                evidence.append(Evidence(info.path, line, column, excerpt, MESSAGES[state]))
    aside = f"; {skipped} in command-line programs (alembic, scripts) are not the app's" if skipped else ""
    if not created:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no database engine created by the app" + aside)
    if not evidence:
        return Outcome(Verdict.PASS, reason=f"{created} engine(s) or pool(s) checked: created once, with pool "
                                            f"settings or SQLite{aside}")
    return Outcome(Verdict.NEEDS_ATTENTION if undecided == len(evidence) else Verdict.FAIL, tuple(evidence))
