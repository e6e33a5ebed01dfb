"""Worker processes, started the same way for the project analysis and for the files.

On Linux they are forked: they start at once with the parent's modules loaded and
read what the parent prepared (plans, file lists) without copying it. Elsewhere
they are spawned (macOS's system libraries are not fork-safe; Windows has no fork),
and the initializer's arguments are pickled to them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Item = TypeVar("Item")


def start_method() -> str:
    """Fork on Linux, spawn elsewhere (see above); one place, so a test can choose."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def worker_pool(jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    # Imported here (about 30 ms): a run answered from the cache starts no worker.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(start_method()),
        initializer=initializer,
        initargs=initargs,
    )


def largest_first(items: Sequence[Item], path_of: Callable[[Item], Path]) -> list[Item]:
    """``items`` by the size of their file, largest first: the big files must not end
    up in one worker's last task while the other workers idle."""
    return sorted(items, key=lambda item: _size(path_of(item)), reverse=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
