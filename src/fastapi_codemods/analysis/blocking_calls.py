"""The calls that block the event loop when made inside ``async def``, and what to use instead.

One table for the audit's practice 1 (blocking calls in async endpoints and their
dependencies), practice 4 (sync dependencies doing I/O) and the async_sleep
transform, which rewrites ``time.sleep`` and reports the rest. Names are the
qualified names the call resolves to through the module's imports
(``from time import sleep`` makes ``sleep(1)`` ``time.sleep``); ``builtins.open``
is the builtin. Only calls that block by what they are: a name that may or may not
do I/O (a method on an object of unknown type) is not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BlockingCall:
    """``kind`` groups the calls for messages and statistics; ``alternative`` is what
    an ``async def`` should await instead."""

    name: str
    kind: str
    alternative: str


def _table(kind: str, alternative: str, *names: str) -> dict[str, BlockingCall]:
    return {name: BlockingCall(name, kind, alternative) for name in names}


_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

BLOCKING_CALLS: dict[str, BlockingCall] = {
    **_table("sleep", "`await asyncio.sleep(...)`", "time.sleep"),
    **_table("http", "an `httpx.AsyncClient` (`await client.get(...)`)",
             *(f"requests.{method}" for method in _HTTP_METHODS),
             *(f"requests.api.{method}" for method in _HTTP_METHODS),
             "urllib.request.urlopen", "urllib3.request"),
    # Methods of a sync client the function creates itself (``s = requests.Session()``).
    **_table("http", "an `httpx.AsyncClient` (`await client.get(...)`)",
             *(f"requests.Session.{method}" for method in _HTTP_METHODS),
             *(f"httpx.Client.{method}" for method in (*_HTTP_METHODS, "send", "stream"))),
    **_table("http", "`httpx.AsyncClient` instead of the sync `httpx` functions",
             *(f"httpx.{method}" for method in (*_HTTP_METHODS, "stream"))),
    **_table("subprocess", "`await asyncio.create_subprocess_exec(...)`",
             "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
             "subprocess.getoutput", "subprocess.getstatusoutput"),
    **_table("subprocess", "`await asyncio.create_subprocess_shell(...)`", "os.system", "os.popen"),
    **_table("database", "an async driver (asyncpg, psycopg 3's `AsyncConnection`)",
             "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect", "mysql.connector.connect"),
    **_table("database", "pymongo's `AsyncMongoClient` or motor", "pymongo.MongoClient"),
    **_table("database", "aiosqlite", "sqlite3.connect"),
    **_table("database", "`redis.asyncio.Redis`", "redis.Redis", "redis.StrictRedis", "redis.from_url",
             "redis.client.Redis"),
    **_table("file", "`await run_in_threadpool(...)` around the file I/O, or aiofiles", "builtins.open"),
    **_table("mail", "aiosmtplib (or send the mail from a background task run in the thread pool)",
             "smtplib.SMTP", "smtplib.SMTP_SSL"),
}
# Every method of a sync client the function or its module creates
# (``s3 = boto3.client("s3")`` then ``s3.put_object(...)``: ``boto3.client.put_object``).
BLOCKING_PREFIXES: dict[str, BlockingCall] = {
    prefix: BlockingCall(prefix, "aws", "aioboto3 (or `await run_in_threadpool(...)` around the boto3 call)")
    for prefix in ("boto3.client.", "boto3.resource.", "boto3.session.Session.client.")
}
# The library whose sync client a blocking call uses, for practice 2 (sync client libraries).
CLIENT_LIBRARIES = frozenset({"requests", "httpx", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql", "pymongo",
                              "redis", "urllib3", "boto3", "smtplib"})


def blocking_entry(name: str) -> BlockingCall | None:
    """The table's entry for a call's qualified ``name``, prefixes included."""
    found = BLOCKING_CALLS.get(name)
    if found is None and name.startswith("boto3."):
        found = next((entry for prefix, entry in BLOCKING_PREFIXES.items() if name.startswith(prefix)), None)
    return found


def blocking_call(names: Iterable[str]) -> BlockingCall | None:
    """The table's entry for the first of a call's possible qualified ``names`` found in it."""
    for name in names:
        found = BLOCKING_CALLS.get(name)
        if found is not None:
            return found
    return None
