"""How the run uses Python's cyclic garbage collector.

The project pass keeps every file's ``ast`` alive at once and libcst allocates
hundreds of thousands of nodes per large file. With the default thresholds the
collector runs every 700 allocations and keeps scanning those long-lived objects:
on prefect (864 files) that was a third of the whole run's CPU time. Syntax trees
hold no reference cycles, so reference counting frees them; the collector is only
needed for the few cycles libcst's metadata and visitors create, and a rare
collection is enough for those.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between young-generation collections (Python's default is 700).
WORKER_THRESHOLD = 100_000


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (the project pass builds only
    acyclic trees); the previous state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def for_files() -> Iterator[None]:
    """While processing files: stop rescanning what exists (the loaded modules, the
    plans) and collect rarely; the previous thresholds afterwards.

    Entered in the main process before the pool forks, so workers inherit it and the
    collector does not touch (and copy) the pages they share with the parent.
    """
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(WORKER_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
