"""A content-addressed cache of run results, so an unchanged tree costs a walk and a hash.

Layout, per folder root (like ruff's ``.ruff_cache``; a run on single files is not
cached)::

    .fastapi_codemods_cache/
        .gitignore          "*": git never sees the cache
        CACHEDIR.TAG        backup tools skip the folder
        v1/commands/<key>   what a dry-run command line printed (`replay`)
        v1/runs/<slot>      the last run record of one configuration
        v1/files/<ab>/<key> one file's result

Every key is a blake2b digest of what the result depends on:

- the **tool** (`tool_fingerprint`): our version and the size and mtime of each of
  our modules (an edited checkout is another tool), the Python version, libcst's
  and black's installations;
- the **setup** (`setup_digest`): the root as shown, the configuration, the chosen
  transforms and the formatting choice;
- the **contents**: the bytes of every file, hashed. To know them without reading
  every file, `hash_files` keeps the digest of a file whose stamp (size, mtime,
  ctime, inode, device) is the one recorded, when the file had not been written
  within `RACY_NS` of that record (git's index does the same): any write sets a new
  ctime, which no tool can set back.

Two levels use them (a third, `replay`, answers a repeated dry-run command line
before this module is even imported):

1. A **run record** (`RunRecord`) holds a root's whole outcome, keyed by the setup
   and every file's path and bytes. When they all match (the second ``run --check``
   on an unchanged tree), the driver returns it without analysing the project,
   importing libcst or starting workers.
2. A **file result** (`FileResult`) is keyed by the tool, the file's path and bytes,
   and the digest of the root's **plan** (`plan_digest`): the options and the project
   facts every transform computed from the whole root, encoded canonically
   (`canonical`). A change to one file recomputes the facts (the project analysis
   runs again); when they come out the same, every other file's result is reused.
   When they differ (the settings module conditional_docs reads now has a DEBUG
   field), every file of the root is processed again. That is the trade-off: a
   facts digest per root is simple and cannot miss a cross-file dependency, at the
   price of recomputing files whose own result did not depend on the change.
   Positions are facts too (the model index records where each model is defined).

The cache never changes what a run writes or reports: a hit returns the result a
miss computes. Results that depend on more than the bytes are not stored: a file
that could not be read, an internal error (a crash may be a resource limit). A file
that does not parse is stored with its error (the same bytes fail the same way).

Entries are pickles written to a temporary file and moved into place with
``os.replace``, so runs at once never see half an entry; an entry that cannot be
read or unpickled is a miss. Nothing is ever pruned: delete the folder to empty it.

Not cached: the per-file analysis passes (`analysis.filepasses`). On a miss the
transforms' project analyses read texts and trees of their own besides the passes'
results, so the analysis runs whole; it overlaps the import of libcst anyway.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from fastapi_codemods import __version__
from fastapi_codemods.analysis.deployment import SUBFOLDERS, folders_up_to_work_tree
from fastapi_codemods.engine import cache_folder, replay
from fastapi_codemods.engine.results import FileResult, Status

CACHE_DIR = cache_folder.CACHE_DIR
LAYOUT = cache_folder.LAYOUT
NO_CACHE_ENV = cache_folder.NO_CACHE_ENV
# Errors that say something about the moment, not the bytes: never stored.
_TRANSIENT_ERRORS = ("cannot read", "internal error", "cannot parse:")


def digest(*parts: bytes) -> str:
    """Hex blake2b of the parts, each length-prefixed so that no two splits collide."""
    return replay.digest(parts)


def file_digest(path: Path) -> str | None:
    """The digest of a file's bytes, None when it cannot be read."""
    return replay.bytes_digest(path)


class NotCanonical(TypeError):
    """A value `canonical` has no stable encoding for (its result is then not cached)."""


def canonical(value: Any) -> bytes:
    """A byte encoding equal for equal values in any process.

    ``pickle`` is not one: a set's order follows string hashes, which differ from
    one interpreter to the next. Sets and dicts are encoded sorted here.
    """
    parts: list[bytes] = []
    _encode(value, parts)
    return b"".join(parts)


def _encode(value: Any, out: list[bytes]) -> None:
    if value is None or isinstance(value, (bool, int, float)):
        out.append(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):
        out.append(b"s%d:" % len(value.encode("utf-8", "surrogatepass")) + value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, bytes):
        out.append(b"b%d:" % len(value) + value)
    elif isinstance(value, Enum):
        out.append(f"e:{type(value).__qualname__}:".encode())
        _encode(value.value, out)
    elif isinstance(value, PurePath):
        out.append(b"p")
        _encode(str(value), out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(f"d:{type(value).__module__}.{type(value).__qualname__}(".encode())
        for item in dataclasses.fields(value):
            _encode(item.name, out)
            _encode(getattr(value, item.name), out)
        out.append(b")")
    elif isinstance(value, (tuple, list)):
        out.append(b"t(" if isinstance(value, tuple) else b"l(")
        for item in value:
            _encode(item, out)
        out.append(b")")
    elif isinstance(value, (set, frozenset)):
        out.append(b"S(" + b"".join(sorted(canonical(item) for item in value)) + b")")
    elif isinstance(value, Mapping):
        pairs = sorted(canonical(key) + canonical(item) for key, item in value.items())
        out.append(b"M(" + b"".join(pairs) + b")")
    else:
        raise NotCanonical(f"no canonical encoding for {type(value).__qualname__}")


@cache
def tool_fingerprint() -> str:
    """What else than the inputs decides a result: this code and what it runs on.

    Our files are identified by size and mtime, the libraries by their
    ``__init__``'s stamp (`replay.package_stamps`, `replay.library_stamps`: a stat
    each, no reading), so a developer editing a checkout never gets a result of the
    code before the edit.
    """
    libraries = replay.library_stamps() or [("a library is missing",)]
    return digest(__version__.encode(), sys.version.encode(), *replay.package_stamps(),
                  *(repr(stamp).encode() for stamp in libraries))


def setup_digest(root_shown: str, config: Any, chosen: Sequence[str], format_: bool | None) -> str:
    """The digest of everything a root's run depends on besides its files (the
    registry's order too: it decides which transform runs first on a file)."""
    from fastapi_codemods import codemods

    return digest(
        tool_fingerprint().encode(), canonical((root_shown, config, tuple(chosen), tuple(codemods.ORDER), format_))
    )


def surroundings_digest(root: Path) -> str:
    """The non-Python files beside the sources that project analyses read: the
    packaging files (setup_logging's and production_server's dependency checks), the
    deployment files (production_server), a wheel's ``METADATA``. They sit in the
    root, its parents up to the git work tree (without one, up to the first folder
    holding packaging files), and those folders' deployment subfolders: the walk of
    `analysis.deployment.folders_up_to_work_tree`. Each such folder's non-Python
    entries count by name, and files by size, mtime and ctime, so adding, removing or
    editing one (a new Dockerfile, gunicorn added to requirements.txt) misses the run
    record; the file results still hit when the project facts come out the same.
    Folders inside them are not entries (only a wheel's ``*.dist-info/METADATA``)."""
    parts: list[bytes] = []
    for folder in folders_up_to_work_tree(root.resolve()):
        for place in (folder, *(folder / name for name in SUBFOLDERS)):
            parts.extend(_entries(place))
    return digest(*parts)


def _entries(place: Path) -> list[bytes]:
    try:
        with os.scandir(place) as scanned:
            entries = sorted(scanned, key=lambda entry: entry.name)
    except OSError:
        return [f"{place}\0-".encode()]
    parts = []
    for entry in entries:
        if entry.name.endswith(".py") or entry.name in (CACHE_DIR, ".git"):
            continue
        path = Path(entry.path) / "METADATA" if entry.name.endswith(".dist-info") else Path(entry.path)
        replay.note_file(str(path))
        try:
            if not path.is_file():  # a folder: what it holds is no packaging or deployment file
                continue
            status = path.stat()
        except OSError:
            continue
        parts.append(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ctime_ns}".encode())
    return parts


def files_digest(files: Iterable[tuple[str, str, str | None]]) -> str:
    """The digest of (display path, root-relative path, bytes digest) of every file
    (no path holds a NUL; `digest` length-prefixes each file's part)."""
    return digest(*(f"{shown}\0{relpath}\0{bytes_digest}".encode("utf-8", "surrogateescape")
                    for shown, relpath, bytes_digest in files))


def plan_digest(plan: Any) -> str | None:
    """The digest of what one root's files are processed with, None when the facts
    have no canonical encoding (its file results are then not cached)."""
    try:
        encoded = canonical(
            (
                plan.root,
                tuple(transform.NAME for transform in plan.transforms),
                plan.options,
                plan.facts,
                plan.not_application,
                plan.format,
                plan.black_config,
            )
        )
    except (NotCanonical, RecursionError):
        return None
    return digest(tool_fingerprint().encode(), encoded)


def file_key(plan_key: str, shown: str, relpath: str, bytes_digest: str, explicit: bool) -> str:
    return digest(plan_key.encode(), shown.encode(), relpath.encode(), bytes_digest.encode(), bytes([explicit]))


def storable(result: FileResult) -> bool:
    """Whether the result follows from the bytes alone (see the module docstring)."""
    return not (result.status is Status.FAILED and result.error is not None and result.error.startswith(_TRANSIENT_ERRORS))


@dataclass(frozen=True)
class RootFacts:
    """What a root's summary shows besides the counts (kept from the plan)."""

    root: str
    left_alone: tuple[tuple[str, int], ...]
    kept: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RunRecord:
    """A root's whole outcome, before any file is written.

    ``created`` pairs each file the transforms create or edit (a non-Python file,
    not among the sources) with its target path;
    ``existing`` are targets that were not created because a file was there. A hit
    needs the former still absent and the latter still present.
    """

    key: str
    results: tuple[FileResult, ...]
    paths: tuple[str, ...]  # where each result's file is
    created: tuple[tuple[FileResult, str], ...]
    existing: tuple[str, ...]
    facts: RootFacts
    processed: int  # files the transforms processed (the others no transform wanted)
    stamps: dict[str, tuple[tuple[int, ...], str]] = dataclasses.field(default_factory=dict)
    stamped_at: int = 0  # time.time_ns() before the stamps were taken

    def targets(self) -> list[str]:
        """The files a hit depends on besides the sources: those it would create
        (absent) or edit, and those whose presence kept it from creating one."""
        return [*(target for _, target in self.created), *self.existing]

    def still_valid(self) -> bool:
        return all(_unchanged_target(result, target) for result, target in self.created) and all(
            os.path.lexists(target) for target in self.existing
        )


def _unchanged_target(result: FileResult, target: str) -> bool:
    """A file to create is still absent; a non-Python file to edit (production_server's
    requirements.txt) still holds the bytes the edit was computed from."""
    if result.created:
        return not os.path.lexists(target)
    try:
        with open(target, "rb") as stream:
            return stream.read() == result.old
    except OSError:
        return False


# A file whose mtime or ctime is this close to the moment its stamp was taken is
# read again (`cache_folder.RACY_NS`).
RACY_NS = cache_folder.RACY_NS


@dataclass(frozen=True)
class Hashed:
    """The bytes digest of each file, and the stamps that let the next run trust it."""

    digests: dict[str, str | None]
    stamps: dict[str, tuple[tuple[int, ...], str]]
    stamped_at: int
    read: int  # files read and hashed (their stamps could not be trusted)


def hash_files(files: Sequence[tuple[Path, Any]], previous: RunRecord | None) -> Hashed:
    """Every file's bytes digest (None when unreadable).

    A file whose stamp (size, mtime, ctime, inode, device) is the one the last run
    record holds, taken more than `RACY_NS` after the file's last change, keeps its
    digest unread, as git's index does: any write since then sets a new ctime, which
    no tool can set back. Every other file is read and hashed.
    """
    stamped_at = time.time_ns()
    known = previous.stamps if previous is not None else {}
    trusted_before = (previous.stamped_at if previous is not None else 0) - RACY_NS
    digests: dict[str, str | None] = {}
    stamps: dict[str, tuple[tuple[int, ...], str]] = {}
    read = 0
    for path, info in files:
        stamp = replay.file_stamp(path)  # (size, mtime, ctime, inode, device)
        if stamp is None:
            digests[info.path] = None
            continue
        old = known.get(info.path)
        if old is not None and old[0] == stamp and max(stamp[1:3]) < trusted_before:
            bytes_digest: str | None = old[1]
        else:
            bytes_digest = file_digest(path)
            read += 1
        digests[info.path] = bytes_digest
        if bytes_digest is not None:
            stamps[info.path] = (stamp, bytes_digest)
            replay.note_source(str(path), stamp, bytes_digest)
    return Hashed(digests, stamps, stamped_at, read)


@dataclass
class Stats:
    """Of the files the transforms process, those whose result the cache gave and
    those computed again, for the JSON report. Files no transform wants are decided
    from their text on every run that misses the run record, counted in neither."""

    hits: int = 0
    misses: int = 0
    whole_run: bool = False  # every result came from the run record


class RootCache:
    """The cache folder of one root; every failure to read or write is a miss."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.stats = Stats()

    @classmethod
    def of(cls, root: Path, enabled: bool) -> RootCache | None:
        """The cache of a folder root, None for a single file or when disabled."""
        if not enabled or cache_folder.disabled_by_environment() or not root.is_dir():
            return None
        return cls(root)

    def last_run(self, slot: str) -> RunRecord | None:
        """The last run record of this configuration, whatever the files held then."""
        record = self._read(Path(LAYOUT, "runs", slot))
        return record if isinstance(record, RunRecord) else None

    def store_run(self, slot: str, record: RunRecord) -> None:
        self._write(Path(LAYOUT, "runs", slot), record)

    def load_file(self, key: str) -> FileResult | None:
        result = self._read(self._file_path(key))
        return result if isinstance(result, FileResult) else None

    def store_file(self, key: str, result: FileResult) -> None:
        self._write(self._file_path(key), result)

    @staticmethod
    def _file_path(key: str) -> Path:
        return Path(LAYOUT, "files", key[:2], key[2:])

    def _read(self, relative: Path) -> Any:
        try:
            with open(self.folder / relative, "rb") as stream:
                return pickle.load(stream)
        except Exception:  # noqa: BLE001 - missing, truncated or foreign: a miss
            return None

    def _write(self, relative: Path, value: Any) -> None:
        try:
            cache_folder.ensure(self.folder)
        except OSError:
            return
        cache_folder.write_atomically(self.folder / relative, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class Session:
    """One root's use of the cache in one run: the run record first, then, on a
    miss, the file results once the plan is known."""

    def __init__(self, store: RootCache, slot: str, key: str, hashed: Hashed,
                 files: dict[str, tuple[str, Path]], previous: RunRecord | None) -> None:
        self.store = store
        self.slot = slot
        self.key = key
        self.hashed = hashed
        self.digests = hashed.digests  # display path -> bytes digest, for this root's files
        self.plan_key: str | None = None
        self._files = files  # display path -> (root-relative path, path)
        self._previous = previous
        self._explicit = False

    @classmethod
    def start(cls, store: RootCache, setup: str, files: Sequence[tuple[Path, Any]]) -> Session:
        """Hash every file of the root (``files``: (path, `FileInfo`) pairs), with the
        last run record's stamps sparing the reading of files not written since."""
        replay.note_root_started()
        previous = store.last_run(setup)
        hashed = hash_files(files, previous)
        table = files_digest((info.path, info.relpath, hashed.digests[info.path]) for _, info in files)
        key = digest(setup.encode(), table.encode(), surroundings_digest(store.folder.parent).encode())
        return cls(store, setup, key, hashed, {info.path: (info.relpath, path) for path, info in files}, previous)

    def record(self) -> RunRecord | None:
        """The stored outcome of this very run, if there is one."""
        record = self._previous
        if record is None or record.key != self.key or not record.still_valid():
            return None
        self.store.stats = Stats(hits=record.processed, misses=0, whole_run=True)
        replay.note_root_answered(True, record.targets())
        if self.hashed.read:
            # Files read because they had changed just before the record was made
            # are old enough to be trusted now: spare the next run reading them.
            self.store.store_run(self.slot, dataclasses.replace(
                record, stamps=self.hashed.stamps, stamped_at=self.hashed.stamped_at))
        return record

    def use_plan(self, plan: Any, explicit: bool) -> None:
        self.plan_key = plan_digest(plan)
        self._explicit = explicit

    def _file_key(self, shown: str) -> str | None:
        bytes_digest = self.digests.get(shown)
        if self.plan_key is None or bytes_digest is None:
            return None
        return file_key(self.plan_key, shown, self._files[shown][0], bytes_digest, self._explicit)

    def lookup(self, shown: str) -> FileResult | None:
        """The stored result of one file to process, counted as a hit or a miss."""
        key = self._file_key(shown)
        result = self.store.load_file(key) if key is not None else None
        if result is None:
            self.store.stats.misses += 1
        else:
            self.store.stats.hits += 1
        return result

    def remember(self, path: Path, result: FileResult) -> None:
        """Store a computed result if the file still holds the bytes it was keyed by
        (it may have changed while it was processed)."""
        key = self._file_key(result.path)
        if key is not None and storable(result) and file_digest(path) == self.digests[result.path]:
            self.store.store_file(key, result)

    def finish(self, results: Iterable[FileResult], created: Sequence[tuple[FileResult, Path]],
               existing: Sequence[Path], facts: RootFacts) -> None:
        """Store the run record, unless some result must be computed again next time."""
        mine = tuple(result for result in results if result.path in self.digests and not result.created)
        if any(value is None for value in self.digests.values()) or not all(storable(r) for r in mine):
            return
        if not all(storable(result) for result, _ in created):
            return
        record = RunRecord(
            key=self.key,
            results=mine,
            paths=tuple(str(self._files[result.path][1]) for result in mine),
            created=tuple((result, str(target)) for result, target in created),
            existing=tuple(str(target) for target in existing),
            facts=facts,
            stamps=self.hashed.stamps,
            stamped_at=self.hashed.stamped_at,
            processed=self.store.stats.hits + self.store.stats.misses,
        )
        self.store.store_run(self.slot, record)
        replay.note_root_answered(False, record.targets())
