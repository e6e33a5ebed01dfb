"""Worker processes, started the same way for the project analysis and for the files.

On Linux they are forked: they start at once with the parent's modules loaded and
read what the parent prepared (plans, file lists) without copying it. Elsewhere
they are spawned (macOS's system libraries are not fork-safe; Windows has no fork),
and the initializer's arguments are pickled to them.

One file must never stop the run: a native parser can crash its process, and a file
can take too long or too much memory. `isolated_map` gives each worker one item at
a time; a worker that dies or runs out of time is replaced and only its item is
lost (the caller names it). Workers also die with their parent: a killed run leaves
no process behind holding the caller's pipes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Seconds one item may take in a worker before the worker is killed and replaced.
TIME_LIMIT = 300.0
# Bytes of address space a worker may add to what it starts with (RLIMIT_AS, where
# the platform has it); beyond it the allocation fails and the item alone is lost.
MEMORY_LIMIT = 4 << 30


def start_method() -> str:
    """Fork on Linux, spawn elsewhere (see above); one place, so a test can choose."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def isolated_map(function: Callable[[Item], Result], items: Iterable[Item], jobs: int,
                 initializer: Callable[..., None], initargs: tuple[Any, ...],
                 lost: Callable[[Item, str], Result], time_limit: float | None = None) -> IsolatedPool:
    """``function`` of each item in ``jobs`` worker processes, in completion order.

    The workers start at once and take their first items; iterate over the returned
    pool for the results. An item whose worker dies (a crash, a signal, out of
    memory), raises, or takes longer than ``time_limit`` seconds yields
    ``lost(item, reason)`` instead, and the worker is replaced. `IsolatedPool.stop`
    (or leaving the iteration early) stops every worker.
    """
    return IsolatedPool(function, items, jobs, initializer, initargs, lost,
                        TIME_LIMIT if time_limit is None else time_limit)


class IsolatedPool:
    """The workers of one `isolated_map` and the items they have yet to take."""

    def __init__(self, function: Callable[[Any], Any], items: Iterable[Any], jobs: int,
                 initializer: Callable[..., None], initargs: tuple[Any, ...],
                 lost: Callable[[Any, str], Any], time_limit: float) -> None:
        import multiprocessing

        self._lost = lost
        self._limit = time_limit
        self._jobs = max(1, jobs)
        self._pending = list(items)
        self._pending.reverse()  # popped from the end, in the given order
        context = multiprocessing.get_context(start_method())
        self._start = lambda: _Worker(context, function, initializer, initargs)
        self._workers: list[_Worker] = []
        self._fill()

    def _fill(self) -> None:
        while self._pending and len(self._workers) < self._jobs:
            self._workers.append(self._start())
        for worker in self._workers:
            if worker.item is _IDLE and self._pending:
                worker.give(self._pending.pop())

    def __iter__(self) -> Iterator[Any]:
        from multiprocessing.connection import wait

        try:
            while True:
                self._fill()
                busy = [worker for worker in self._workers if worker.item is not _IDLE]
                if not busy:
                    return
                deadline = min(worker.started for worker in busy) + self._limit
                ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(deadline - time.monotonic(), 0))
                for worker in busy:
                    outcome = worker.collect(ready, self._limit)
                    if outcome is None:
                        continue
                    kind, value = outcome
                    if kind == "done":
                        yield value
                        continue
                    self._workers.remove(worker)
                    worker.stop()
                    yield self._lost(value, kind)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop every worker; the items not yet taken are dropped."""
        self._pending.clear()
        for worker in self._workers:
            worker.stop()
        self._workers.clear()


_IDLE = object()


class _Worker:
    """One worker process and the pipe it takes items from and answers on."""

    def __init__(self, context: Any, function: Callable[..., Any], initializer: Callable[..., None],
                 initargs: tuple[Any, ...]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, function, initializer, initargs, os.getpid()),
                                       daemon=True)
        self.process.start()
        child.close()
        self.item: Any = _IDLE
        self.started = 0.0

    def give(self, item: Any) -> None:
        self.item = item
        self.started = time.monotonic()
        try:
            self.connection.send(item)
        except OSError:
            pass  # died before taking it: `collect` sees the death

    def collect(self, ready: list[Any], limit: float) -> tuple[str, Any] | None:
        """("done", result), (reason, item) when the item is lost, or None (still busy)."""
        item = self.item
        if self.connection in ready:
            try:
                kind, value = self.connection.recv()
            except (EOFError, OSError):
                pass  # died while answering: the sentinel tells how
            else:
                self.item = _IDLE
                if kind == "done":
                    return "done", value
                return f"internal error: {value}", item
        if self.process.sentinel in ready or not self.process.is_alive():
            self.process.join()
            self.item = _IDLE
            return _death(self.process.exitcode), item
        if time.monotonic() - self.started >= limit:
            self.item = _IDLE
            return f"took longer than {limit:g} s (the per-file time limit)", item
        return None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _death(exitcode: int | None) -> str:
    """How a worker died, for the lost item's error."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        cause = {"SIGSEGV": "a crash (stack overflow in the parser?)", "SIGKILL": "killed (out of memory?)",
                 "SIGABRT": "aborted (out of memory?)"}.get(name, "killed")
        return f"the worker process died on it: {cause}, {name}"
    return f"the worker process died on it (exit code {exitcode})"


def _serve(connection: Any, function: Callable[..., Any], initializer: Callable[..., None],
           initargs: tuple[Any, ...], parent: int) -> None:
    """Worker side: one item at a time until the pipe closes."""
    import signal

    # Ctrl-C reaches the whole process group: the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    _limit_memory()
    initializer(*initargs)
    while True:
        try:
            item = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("done", function(item))
        except Exception as error:  # noqa: BLE001 - the item is lost, not the worker
            answer = ("error", f"{type(error).__name__}: {error}")
        try:
            connection.send(answer)
        except (OSError, ValueError):
            return


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends (SIGKILL included): the kernel's
    parent-death signal on Linux, and everywhere a thread that checks the parent."""
    import signal
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = size + MEMORY_LIMIT
        if hard == resource.RLIM_INFINITY or wanted < hard:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS: the time limit still applies


def largest_first(items: Sequence[Item], path_of: Callable[[Item], Path]) -> list[Item]:
    """``items`` by the size of their file, largest first: the big files must not end
    up in one worker's last task while the other workers idle."""
    return sorted(items, key=lambda item: _size(path_of(item)), reverse=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
