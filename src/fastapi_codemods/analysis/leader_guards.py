"""Whether startup work runs in one process only: a leader lock or a setting guards it (stdlib ``ast``).

Several workers each run the app's startup. A scheduler or listener started there runs
N times, unless the project already elects one process for it. The common ways:

- a lock taken without waiting, the losers skipping the work: ``if
  lock.acquire(blocking=False):`` (redis-py, filelock with ``timeout=0``,
  ``threading``), ``if await redis.set(key, pid, nx=True, ex=60):``,
  ``fcntl.flock(fd, LOCK_EX | LOCK_NB)`` in a ``try`` whose ``except`` skips the work,
  ``with FileLock(path, timeout=0):``, ``acquired = lock.acquire(blocking=False)`` then
  ``if acquired:``, or an early ``if not acquired: return``;
- a setting naming the job's process: ``if os.environ.get("RUN_SCHEDULER"):``,
  ``if settings.SCHEDULER_ENABLED:`` (words: scheduler, leader, cron, jobs, primary,
  master, singleton). That one elects a process only where it is set for a single
  process (a dedicated service), which the finding says.

A lock acquired by waiting (``lock.acquire()``, ``with FileLock(path):``) elects no one:
every worker gets it in turn and starts the work anyway (or waits forever when the
holder keeps it), so it does not count.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_codemods.analysis.astindex import walk

LEADER_WORDS = frozenset({"scheduler", "scheduled", "leader", "cron", "jobs", "primary", "master", "singleton"})
ENV_READS = frozenset({"get", "getenv"})
EXITS = (ast.Return, ast.Raise, ast.Continue)


def leader_guard(root: ast.AST, target: ast.AST) -> str | None:
    """What makes ``target`` (a call inside ``root``, a function or statement) run in
    one process only, as a phrase for a finding; None when nothing does."""
    parents = {child: node for node in walk(root) for child in ast.iter_child_nodes(node)}
    acquired = _acquired_names(root)
    child, node = target, parents.get(target)
    while node is not None:
        if isinstance(node, ast.If) and _in(child, node.body):
            found = _guard_test(node.test, acquired)
            if found:
                return found
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if _non_blocking_lock(item.context_expr):
                    return f"holds a lock taken without waiting (`{_short(item.context_expr)}`)"
        for block in _blocks(node):
            if _in(child, block):
                found = _earlier_guard(block, child, acquired, isinstance(node, ast.Try) and block is node.body)
                if found:
                    return found
        child, node = node, parents.get(node)
    return None


def _blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def _in(node: ast.AST, block: list[ast.stmt]) -> bool:
    return any(node is statement for statement in block)


def _earlier_guard(block: list[ast.stmt], statement: ast.AST, acquired: set[str], in_try: bool) -> str | None:
    """A statement before ``statement`` in its block that lets only one process go on:
    ``if not <guard>: return``, or (in a ``try`` whose ``except`` skips the rest) a
    lock taken without waiting."""
    for earlier in block:
        if earlier is statement:
            return None
        if (isinstance(earlier, ast.If) and isinstance(earlier.test, ast.UnaryOp)
                and isinstance(earlier.test.op, ast.Not) and earlier.body and isinstance(earlier.body[-1], EXITS)):
            found = _guard_test(earlier.test.operand, acquired)
            if found:
                return found
        if in_try:
            lock = next((call for call in walk(earlier) if isinstance(call, ast.Call) and _non_blocking_lock(call)),
                        None)
            if lock is not None:
                return f"holds a lock taken without waiting (`{_short(lock)}`)"
    return None


def _acquired_names(root: ast.AST) -> set[str]:
    """Names assigned the result of a lock taken without waiting (``acquired = ...``)."""
    names = set()
    for node in walk(root):
        if isinstance(node, ast.Assign) and any(
                isinstance(call, ast.Call) and _non_blocking_lock(call) for call in walk(node.value)):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def _guard_test(test: ast.expr, acquired: set[str]) -> str | None:
    for node in walk(test):
        if isinstance(node, ast.Call) and _non_blocking_lock(node):
            return f"holds a lock taken without waiting (`{_short(node)}`)"
        if isinstance(node, ast.Name) and node.id in acquired:
            return f"holds a lock taken without waiting (`{node.id}`)"
    setting = _setting_name(test)
    if setting:
        return (f"has {setting} set: make sure exactly one process has it (a dedicated service), not every "
                "worker of one container")
    return None


def _non_blocking_lock(node: ast.AST) -> bool:
    """``x.acquire(blocking=False)``/``(False)``/``(timeout=0)``, ``x.set(..., nx=True)``,
    ``x.setnx(...)``, ``flock``/``lockf``/``lock`` with ``LOCK_NB``, a ``*Lock(...,
    timeout=0)``/``blocking=False`` built to be entered."""
    if isinstance(node, ast.Await):
        node = node.value
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    falsy = [value for key, value in keywords.items() if key in ("blocking", "timeout", "blocking_timeout")]
    falsy += node.args[:1] if name == "acquire" else []
    no_wait = any(isinstance(value, ast.Constant) and value.value in (False, 0) for value in falsy)
    if name == "acquire" or name.endswith("Lock") or name == "lock":
        return no_wait or any("LOCK_NB" in ast.unparse(argument) for argument in node.args)
    if name == "set":
        return any(isinstance(value, ast.Constant) and value.value is True for key, value in keywords.items()
                   if key == "nx")
    if name in ("setnx", "flock", "lockf"):
        return name == "setnx" or any("LOCK_NB" in ast.unparse(argument) for argument in node.args)
    return False


def _setting_name(test: ast.expr) -> str | None:
    """``RUN_SCHEDULER`` in ``os.environ.get("RUN_SCHEDULER")``, ``settings.RUN_SCHEDULER``
    or a bare name, when its words name a job's process."""
    for node in walk(test):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.Attribute) and node.attr not in ENV_READS:
            text = node.attr
        elif isinstance(node, ast.Name):
            text = node.id
        if text and set(re.split(r"[^a-z]+", text.lower())) & LEADER_WORDS:
            return text
    return None


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
