"""Per-file steps of the project analysis, run once per file and in parallel when asked.

Most of a transform's project analysis reads each file on its own (which functions
yield, which classes are models, does a route await a notification call); only
combining those facts needs the whole root. A `FilePass` is such a per-file step.
Declared up front by the transforms, all passes run file by file, each file read and
parsed once for all of them, its tree dropped afterwards: in worker processes that
send back only the small results (`computing_in_workers`), or in the main process the
same way. The main process then combines the results.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.sources import decode, parse, read_regular
from fastapi_codemods.engine.workerpool import isolated_map, largest_first

Compute = Callable[[FileInfo, ast.Module, str, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class FilePass:
    """One per-file step: ``compute(info, tree, text, options)`` for every file whose
    text holds one of ``needles`` (every file when there are none), or that
    ``also`` accepts, and that ``ast`` parses. ``compute`` must be a module-level
    function and its result picklable: both cross process boundaries."""

    name: str
    needles: tuple[str, ...]
    compute: Compute
    also: Callable[[FileInfo], bool] | None = None

    def applies(self, info: FileInfo, text: str) -> bool:
        return (
            not self.needles
            or any(needle in text for needle in self.needles)
            or (self.also is not None and self.also(info))
        )


@dataclass(frozen=True)
class PassFailure:
    """A pass raised on some file in a worker: re-raised where the analysis asks for it."""

    error: BaseException


Scheduled = Sequence[tuple[FilePass, Mapping[str, Any]]]

# Files per task sent to a worker: enough to make the round trip cheap, few enough
# that the last tasks finish together.
_CHUNK = 8

# Set in each worker by `_init_worker`: the files and the passes with their options.
_FILES: list[tuple[Path, FileInfo]] = []
_SCHEDULED: list[tuple[FilePass, Mapping[str, Any]]] = []


def _init_worker(files: list[tuple[Path, FileInfo]], scheduled: Scheduled) -> None:
    _FILES[:] = files
    _SCHEDULED[:] = scheduled


def compute_file(info: FileInfo, text: str, tree_of: Callable[[], ast.Module | None],
                 scheduled: Scheduled) -> dict[str, Any]:
    """Every applicable pass's result for one file; ``tree_of`` is called at most once,
    and only when some pass applies. A file ``ast`` rejects gets no results."""
    applicable = [(file_pass, options) for file_pass, options in scheduled if file_pass.applies(info, text)]
    if not applicable:
        return {}
    tree = tree_of()
    if tree is None:
        return {}
    results: dict[str, Any] = {}
    for file_pass, options in applicable:
        try:
            results[file_pass.name] = file_pass.compute(info, tree, text, options)
        except (RecursionError, MemoryError):
            # A tree too deep for the passes (`engine.limits` fails the file, named,
            # when it is processed): the file is analysed as if it did not parse.
            return {}
        except Exception as error:  # noqa: BLE001 - re-raised in the main process
            results[file_pass.name] = PassFailure(error)
    return results


def _compute_chunk(indices: list[int]) -> list[tuple[int, dict[str, Any]]]:
    """Worker side: read, decode and parse each file once, run every pass on it."""
    found = []
    for index in indices:
        path, info = _FILES[index]
        try:
            text = decode(read_regular(path))
        except OSError:
            text = None
        if text is None:
            continue
        results = compute_file(info, text, lambda: parse(text, path), _SCHEDULED)
        if results:
            found.append((index, results))
    return found


@contextmanager
def computing_in_workers(files: list[tuple[Path, FileInfo]], scheduled: Scheduled,
                         jobs: int) -> Iterator[Iterator[tuple[int, dict[str, Any]]]]:
    """Start the passes in worker processes at once; yields the iterator of their
    results: (index into ``files``, results by pass name) for every file some pass
    ran on. The caller can do other work before reading it.

    Files go out largest first, a few at a time. Leaving the block on an error
    cancels the files not yet started and waits for the workers to stop.
    """
    order = largest_first(range(len(files)), lambda index: files[index][0])
    chunks = [order[start : start + _CHUNK] for start in range(0, len(order), _CHUNK)]
    initargs = (files, list(scheduled))
    workers = max(1, min(jobs, len(chunks)))
    pool = isolated_map(_compute_chunk, chunks, workers, _init_worker, initargs, _lost_chunk)
    try:
        yield _with_retries(pool, workers, initargs)
    finally:
        pool.stop()


@dataclass(frozen=True)
class _LostChunk:
    indices: list[int]


def _lost_chunk(indices: list[int], _reason: str) -> list[Any]:
    return [_LostChunk(indices)]


def _with_retries(pool: Iterable[list[Any]], jobs: int,
                  initargs: tuple[Any, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The chunks' results; the files of a chunk whose worker died (one of them
    crashed it) are computed again one by one, and the file that crashes again
    gets no results, like a file ``ast`` rejects: `engine.limits` fails it, named,
    when the files are processed."""
    lost: list[int] = []
    for chunk in pool:
        for item in chunk:
            if isinstance(item, _LostChunk):
                lost.extend(item.indices)
            else:
                yield item
    if lost:
        retry = isolated_map(_compute_chunk, [[index] for index in lost], jobs, _init_worker, initargs,
                             lambda _indices, _reason: [])
        for chunk in retry:
            yield from chunk
