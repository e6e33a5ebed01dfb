"""A cache of run results, so an unchanged tree costs a walk, a stat per file and a
JSON read.

Layout, per folder root (like ruff's ``.ruff_cache``; a run on single files is not
cached)::

    .fastapi_codemods_cache/
        .gitignore          "*": git never sees the cache
        CACHEDIR.TAG        backup tools skip the folder; also our mark (see below)
        v2/runs/<setup>     the last run record of one setup (JSON)
        v2/files/<ab>/<key> one file's result (JSON)

**Plain data only.** Entries are JSON, read with ``json.loads`` and validated field
by field; anything unreadable, of the wrong shape or from another layout is a miss,
never an error. Nothing in the folder can make the tool run code. A folder the tool
did not create (no ``CACHEDIR.TAG`` with our text) or one that git tracks (it came
with a checkout, so anybody could have written it) is ignored with one warning line,
and never written to.

**Run records** (`RunRecord`), one per *setup* (`setup_digest`: the tool and what it
runs on, the root as shown, the configuration, the chosen transforms, the format
choice), hold a root's whole outcome and what it was computed from:

- every discovered file's display and root-relative path, stamp (size, mtime,
  ctime, inode, device) and content digest, as git's index holds them;
- every question the project analysis asked the file system besides the sources
  (`engine.inputs`: a Dockerfile's digest, a folder's ``requirements*.txt``, whether
  ``.git`` exists above the root), with its answer;
- the files the transforms create (still absent) and the non-Python files they edit
  (still holding the bytes the edit was computed from).

The next run with the same setup discovers the files, and when the list is the same,
every digest is the same and every question gets the same answer, returns the record
without analysing anything, importing libcst or starting a worker. A file's digest is
taken from the record without reading the file when its stamp is the recorded one
and its mtime and ctime are older than the record by `RACY_NS` (git's racy-index
rule: any write sets a new ctime, which no tool can set back, but two writes within
one clock tick may leave the same stamp).

**File results** are keyed by the tool, the file's paths and bytes, and the digest of
the root's **plan** (`plan_digest`: the options and the project facts every
transform computed from the whole root, encoded canonically by `canonical`). A
change to one file recomputes the facts; when they come out the same, every other
file's result is reused.

**Nothing stale is stored.** A result is stored only when its file's stamp at the end
of the run is the one taken when it was hashed (an edit made during the run, even
one reverted since, sets a new ctime); files hashed within `RACY_NS` of their last
change are hashed again too. The run record is stored only when that holds for
every file. Results that depend on more than the bytes are never stored: a file that
could not be read, an internal error.

**Pruning**: at most `MAX_RUN_RECORDS` run records per root (the least recently
written go first); when the file entries pass `MAX_FILE_BYTES`, those no kept run
record uses are removed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from binascii import a2b_base64, b2a_base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
try:  # hashlib itself imports OpenSSL's bindings first: a tenth of a cached run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - interpreters without the C module
    from hashlib import blake2b
from pathlib import Path, PurePath
from typing import Any

from fastapi_codemods import __version__
from fastapi_codemods.engine import inputs
from fastapi_codemods.engine.results import FileResult, Finding, Status
from fastapi_codemods.engine.sources import read_regular

CACHE_DIR = ".fastapi_codemods_cache"
LAYOUT = "v2"
NO_CACHE_ENV = "FASTAPI_CODEMODS_NO_CACHE"
RACY_NS = 2_000_000_000  # FAT keeps times in 2 s steps
MAX_RUN_RECORDS = 8
MAX_FILE_BYTES = 64 * 1024 * 1024
GITIGNORE = "# Created by fastapi-codemods automatically.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fastapi-codemods.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
# Errors that say something about the moment, not the bytes: never stored.
_TRANSIENT_ERRORS = ("cannot read", "internal error", "cannot parse:", "changed during the run")
_LIBRARIES = ("libcst", "black", "click", "pathspec")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def disabled_by_environment() -> bool:
    """``FASTAPI_CODEMODS_NO_CACHE=1`` (or true/yes) works like ``--no-cache``."""
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("1", "true", "yes")


def _bytes(text: str) -> bytes:
    """A path or name as bytes, whatever it holds (a file name that is not valid
    UTF-8 arrives as lone surrogates)."""
    return text.encode("utf-8", "surrogatepass")


def digest(*parts: bytes) -> str:
    """Hex blake2b of the parts, each length-prefixed so that no two splits collide."""
    hasher = blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """The digest of a regular file's bytes, None when it cannot be read."""
    try:
        return inputs.content_digest(read_regular(path))
    except (OSError, ValueError):
        return None


def file_stamp(path: str | os.PathLike[str]) -> tuple[int, ...] | None:
    """(size, mtime, ctime, inode, device) of a file, None when there is none."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _racy(stamp: Sequence[int], stamped_at: int) -> bool:
    """Whether the file changed so close to ``stamped_at`` that a later write in the
    same clock tick could have left the same stamp."""
    return max(stamp[1], stamp[2]) >= stamped_at - RACY_NS


class NotCanonical(TypeError):
    """A value `canonical` has no stable encoding for (its result is then not cached)."""


def canonical(value: Any) -> bytes:
    """A byte encoding equal for equal values in any process.

    ``repr`` or ``pickle`` are not one: a set's order follows string hashes, which
    differ from one interpreter to the next. Sets and dicts are encoded sorted here.
    """
    parts: list[bytes] = []
    _encode(value, parts)
    return b"".join(parts)


def _encode(value: Any, out: list[bytes]) -> None:
    if value is None or isinstance(value, (bool, int, float)):
        out.append(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):
        encoded = _bytes(value)
        out.append(b"s%d:" % len(encoded) + encoded)
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

    Our files (templates too) count by path, size and mtime, so a developer editing a
    checkout never gets a result of the code before the edit; the libraries by their
    ``__init__``'s stamp. A stat each, nothing read or imported.
    """
    parts = [_bytes(__version__), _bytes(sys.version)]
    _stamp_tree(_PACKAGE, "", parts)
    parts.extend(_library_stamps())
    return digest(*parts)


def _stamp_tree(folder: str, prefix: str, parts: list[bytes]) -> None:
    with os.scandir(folder) as scanned:
        entries = sorted(scanned, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _stamp_tree(entry.path, f"{prefix}{entry.name}/", parts)
        elif not entry.name.endswith((".pyc", ".pyo")):
            info = entry.stat(follow_symlinks=False)
            parts.append(_bytes(f"{prefix}{entry.name}:{info.st_size}:{info.st_mtime_ns}"))


def _library_stamps() -> list[bytes]:
    """Each library's ``__init__`` by path, size, mtime and ctime, found on
    ``sys.path`` without importing it."""
    stamps = []
    for name in _LIBRARIES:
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None) if module is not None else None
        candidates = [origin] if origin else [os.path.join(entry or ".", name, "__init__.py") for entry in sys.path]
        for candidate in candidates:
            stamp = file_stamp(candidate)
            if stamp is not None:
                stamps.append(_bytes(f"{candidate}:{stamp[:3]}"))
                break
        else:
            stamps.append(_bytes(f"{name} is missing"))
    return stamps


def setup_digest(root_shown: str, config: Any, chosen: Sequence[str], format_: bool | None) -> str:
    """The digest of everything a root's run depends on besides its files (the
    registry's order too: it decides which transform runs first on a file)."""
    from fastapi_codemods import codemods

    return digest(
        tool_fingerprint().encode(), canonical((root_shown, config, tuple(chosen), tuple(codemods.ORDER), format_))
    )


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
    return digest(plan_key.encode(), _bytes(shown), _bytes(relpath), bytes_digest.encode(), bytes([explicit]))


def storable(result: FileResult) -> bool:
    """Whether the result follows from the bytes alone (see the module docstring)."""
    return not (result.status is Status.FAILED and result.error is not None and result.error.startswith(_TRANSIENT_ERRORS))


class Invalid(ValueError):
    """An entry of the wrong shape: read as a miss."""


def _expect(value: Any, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Invalid(f"expected {kind}, got {type(value).__name__}")
    return value


def _optional(value: Any, kind: type) -> Any:
    return None if value is None else _expect(value, kind)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(_expect(item, str) for item in _expect(value, list))


def _blob(value: Any) -> bytes:
    try:
        return a2b_base64(_expect(value, str).encode("ascii"), **_STRICT)
    except (ValueError, UnicodeEncodeError) as error:
        raise Invalid("not base64") from error


_STRICT = {"strict_mode": True} if sys.version_info >= (3, 11) else {}


def _text(data: bytes) -> str:
    return b2a_base64(data, newline=False).decode("ascii")


def encode_result(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "root": result.root,
        "status": result.status.value,
        "old": _text(result.old),
        "new": None if result.new is None else _text(result.new),
        "transforms": list(result.transforms),
        "findings": [[f.path, f.line, f.transform, f.reason] for f in result.findings],
        "error": result.error,
        "warning": result.warning,
        "created": result.created,
        "mode": result.mode,
    }


def decode_result(data: Any) -> FileResult:
    """A `FileResult` from `encode_result`'s form; `Invalid` for anything else."""
    _expect(data, dict)
    try:
        findings = []
        for item in _expect(data["findings"], list):
            path, line, transform, reason = _expect(item, list)
            findings.append(Finding(_expect(path, str), _expect(line, int), _expect(transform, str), _expect(reason, str)))
        return FileResult(
            path=_expect(data["path"], str),
            root=_expect(data["root"], str),
            status=Status(_expect(data["status"], str)),
            old=_blob(data["old"]),
            new=None if data["new"] is None else _blob(data["new"]),
            transforms=_strings(data["transforms"]),
            findings=tuple(findings),
            error=_optional(data["error"], str),
            warning=_optional(data["warning"], str),
            created=_expect(data["created"], bool),
            mode=_optional(data["mode"], int),
        )
    except (KeyError, TypeError) as error:
        raise Invalid(str(error)) from error
    except ValueError as error:  # a status that is none, a list of the wrong length
        raise Invalid(str(error)) from error


@dataclass(frozen=True)
class RootFacts:
    """What a root's summary shows besides the counts (kept from the plan)."""

    root: str
    left_alone: tuple[tuple[str, int], ...]
    kept: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SourceEntry:
    """One discovered file as a run record holds it."""

    relpath: str
    stamp: tuple[int, ...]
    digest: str


@dataclass(frozen=True)
class RunRecord:
    """A root's whole outcome and what it was computed from (see the module).

    ``created`` pairs each file the transforms create or edit (a non-Python file, not
    among the sources) with its target path; ``existing`` are targets that were not
    created because a file was there. A hit needs the former still absent (or
    holding the bytes the edit was computed from) and the latter still present.
    """

    sources: dict[str, SourceEntry]  # display path -> entry, in discovery order
    stamped_at: int  # time.time_ns() before the stamps were taken
    notes: list[Any]  # `engine.inputs` questions and answers
    results: tuple[FileResult, ...]  # one per source (a hit has the same sources)
    created: tuple[tuple[FileResult, str], ...]
    existing: tuple[str, ...]
    facts: RootFacts
    processed: int  # files the transforms processed (the others no transform wanted)
    file_keys: tuple[str, ...] = ()  # the file entries this run used

    def targets_unchanged(self) -> bool:
        return all(_unchanged_target(result, target) for result, target in self.created) and all(
            os.path.lexists(target) for target in self.existing
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data; a source's result that is nothing but "unchanged" (most of
        them) is its path alone, so that a large root's record reads fast."""
        return {
            "layout": LAYOUT,
            "sources": [[shown, entry.relpath, *entry.stamp, entry.digest] for shown, entry in self.sources.items()],
            "stamped_at": self.stamped_at,
            "notes": self.notes,
            "results": [result.path if result == _plain(result.path, self.facts.root) else encode_result(result)
                        for result in self.results],
            "created": [[encode_result(result), target] for result, target in self.created],
            "existing": list(self.existing),
            "facts": {"root": self.facts.root, "left_alone": [list(item) for item in self.facts.left_alone],
                      "kept": [list(item) for item in self.facts.kept]},
            "processed": self.processed,
            "file_keys": list(self.file_keys),
        }

    @classmethod
    def from_json(cls, data: Any) -> RunRecord:
        """The record in `to_json`'s form; `Invalid` for anything else."""
        _expect(data, dict)
        try:
            if data["layout"] != LAYOUT:
                raise Invalid("another layout")
            sources = {}
            for item in _expect(data["sources"], list):
                # Checked part by part, without a generator: a large root has thousands.
                if type(item) is not list or len(item) != 8:
                    raise Invalid("a source is [shown, relpath, five numbers, digest]")
                shown, relpath, size, mtime, ctime, inode, device, bytes_digest = item
                if not (type(size) is int and type(mtime) is int and type(ctime) is int and type(inode) is int
                        and type(device) is int):
                    raise Invalid("a source's stamp is five numbers")
                if not (type(shown) is str and type(relpath) is str and type(bytes_digest) is str):
                    raise Invalid("a source's paths and digest are strings")
                sources[shown] = SourceEntry(relpath, (size, mtime, ctime, inode, device), bytes_digest)
            facts = _expect(data["facts"], dict)
            root = _expect(facts["root"], str)
            created = []
            for item in _expect(data["created"], list):
                result, target = _expect(item, list)
                created.append((decode_result(result), _expect(target, str)))
            results = tuple(_plain(item, root) if type(item) is str else decode_result(item)
                            for item in _expect(data["results"], list))
            return cls(
                sources=sources,
                stamped_at=_expect(data["stamped_at"], int),
                notes=_expect(data["notes"], list),
                results=results,
                created=tuple(created),
                existing=_strings(data["existing"]),
                facts=RootFacts(
                    root=root,
                    left_alone=tuple((_expect(reason, str), _expect(count, int))
                                     for reason, count in _expect(facts["left_alone"], list)),
                    kept=tuple((_expect(name, str), _expect(line, str)) for name, line in _expect(facts["kept"], list)),
                ),
                processed=_expect(data["processed"], int),
                file_keys=_strings(data["file_keys"]),
            )
        except (KeyError, TypeError) as error:
            raise Invalid(str(error)) from error
        except ValueError as error:  # unpacking a list of the wrong length
            raise Invalid(str(error)) from error


def _plain(path: str, root: str) -> FileResult:
    return FileResult(path=path, root=root, status=Status.UNCHANGED)


def _unchanged_target(result: FileResult, target: str) -> bool:
    """A file to create is still absent; a non-Python file to edit (production_server's
    requirements.txt) still holds the bytes the edit was computed from."""
    if result.created:
        return not os.path.lexists(target)
    try:
        return read_regular(target) == result.old
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class Hashed:
    """The bytes digest and stamp of each file, taken at the start of a run."""

    digests: dict[str, str | None]
    stamps: dict[str, tuple[int, ...]]
    stamped_at: int
    read: int  # files read and hashed (their stamps could not be trusted)


def hash_files(files: Sequence[tuple[str | Path, Any]], previous: RunRecord | None) -> Hashed:
    """Every file's bytes digest (None when unreadable).

    A file whose stamp is the one the last run record holds, and older than that
    record by `RACY_NS`, keeps its digest unread, as git's index does. Every other
    file is read and hashed. The stamp is taken before the read: a write between the
    two shows as a changed stamp at the end of the run.
    """
    stamped_at = time.time_ns()
    known = previous.sources if previous is not None else {}
    recorded_at = previous.stamped_at if previous is not None else 0
    digests: dict[str, str | None] = {}
    stamps: dict[str, tuple[int, ...]] = {}
    read = 0
    for path, info in files:
        stamp = file_stamp(path)
        if stamp is None:
            digests[info.path] = None
            continue
        old = known.get(info.path)
        if old is not None and old.stamp == stamp and not _racy(stamp, recorded_at):
            bytes_digest: str | None = old.digest
        else:
            bytes_digest = file_digest(path)
            read += 1
        digests[info.path] = bytes_digest
        stamps[info.path] = stamp
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
    def of(cls, root: Path, enabled: bool, warnings: list[str] | None = None) -> RootCache | None:
        """The cache of a folder root, None for a single file, when disabled, or when
        the folder there cannot be trusted (said in ``warnings``)."""
        if not enabled or disabled_by_environment() or not root.is_dir():
            return None
        problem = untrusted(root / CACHE_DIR)
        if problem is not None:
            if warnings is not None:
                warnings.append(f"{root / CACHE_DIR}: {problem}; the cache is not used (delete the folder to use it)")
            return None
        return cls(root)

    def last_run(self, slot: str) -> RunRecord | None:
        """The last run record of this setup, whatever the files held then."""
        data = self._read(Path(LAYOUT, "runs", slot))
        try:
            return None if data is None else RunRecord.from_json(data)
        except Invalid:
            return None

    def store_run(self, slot: str, record: RunRecord) -> None:
        if self._write(Path(LAYOUT, "runs", slot), record.to_json()):
            self.prune()

    def load_file(self, key: str) -> FileResult | None:
        data = self._read(self._file_path(key))
        try:
            return None if data is None else decode_result(data)
        except Invalid:
            return None

    def store_file(self, key: str, result: FileResult) -> None:
        self._write(self._file_path(key), encode_result(result))

    @staticmethod
    def _file_path(key: str) -> Path:
        return Path(LAYOUT, "files", key[:2], key[2:])

    def _read(self, relative: Path) -> Any:
        try:
            return json.loads(read_regular(self.folder / relative))
        except (OSError, ValueError, RecursionError):  # missing, truncated or foreign: a miss
            return None

    def _write(self, relative: Path, value: Any) -> bool:
        try:
            _ensure(self.folder)
            write_atomically(self.folder / relative, json.dumps(value, separators=(",", ":")).encode("ascii"))
        except (OSError, ValueError):
            return False
        return True

    def prune(self) -> None:
        """Keep the `MAX_RUN_RECORDS` newest run records; past `MAX_FILE_BYTES` of
        file entries, remove those no kept record uses."""
        runs = self.folder / LAYOUT / "runs"
        records = sorted(_entries(runs), key=mtime_of, reverse=True)
        for stale in records[MAX_RUN_RECORDS:]:
            _remove(stale.path)
        files = self.folder / LAYOUT / "files"
        entries = [entry for group in _entries(files) if group.is_dir(follow_symlinks=False)
                   for entry in _entries(Path(group.path))]
        if sum(_size(entry) for entry in entries) <= MAX_FILE_BYTES:
            return
        used: set[str] = set()
        for record in records[:MAX_RUN_RECORDS]:
            data = self._read(Path(LAYOUT, "runs", record.name))
            if isinstance(data, dict) and isinstance(data.get("file_keys"), list):
                used.update(key for key in data["file_keys"] if isinstance(key, str))
        for entry in entries:
            if os.path.basename(os.path.dirname(entry.path)) + entry.name not in used:
                _remove(entry.path)


def untrusted(folder: Path) -> str | None:
    """Why an existing cache folder must not be read, or None: one the tool did not
    create (no tag file of ours), or one that git tracks (it came with the checkout)."""
    try:
        tag = read_regular(folder / "CACHEDIR.TAG")
    except FileNotFoundError:
        return None if not os.path.lexists(folder) else "not created by fastapi-codemods (no CACHEDIR.TAG of ours)"
    except OSError:
        return "not created by fastapi-codemods (no CACHEDIR.TAG of ours)"
    if tag != CACHEDIR_TAG.encode():
        return "not created by fastapi-codemods (no CACHEDIR.TAG of ours)"
    return _tracked_by_git(folder)


def _tracked_by_git(folder: Path) -> str | None:
    """Why the folder cannot be trusted as far as git says, or None when git tracks
    none of it (or the folder is in no git work tree)."""
    from fastapi_codemods.engine.discovery import find_git_root

    git_root = find_git_root(folder.parent)
    if git_root is None:
        return None
    import subprocess  # only a root in a git work tree with a cache folder needs it

    try:
        listed = subprocess.run(
            ["git", "--literal-pathspecs", "ls-files", "-z", "--", CACHE_DIR],
            cwd=folder.parent, capture_output=True, check=True, stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = (getattr(error, "stderr", b"") or b"").decode("utf-8", "replace").strip().splitlines()
        return f"git cannot say whether it tracks this folder ({detail[-1] if detail else error})"
    return "git tracks files in it (a cache that came with the checkout is not trusted)" if listed else None


def _ensure(folder: Path) -> None:
    """The cache folder with its ``.gitignore`` and ``CACHEDIR.TAG`` (written once)."""
    if os.path.exists(folder / ".gitignore"):
        return
    os.makedirs(folder, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
        write_atomically(folder / name, text.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file moved into place, so that runs at once see the
    old entry or the new one, never half of one; a failure writes nothing."""
    import tempfile  # only writing needs it

    os.makedirs(path.parent, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp_name, path)
    except BaseException:
        _remove(temp_name)
        raise


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as scanned:
            return [entry for entry in scanned if not entry.name.startswith(".")]
    except OSError:
        return []


def mtime_of(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_mtime_ns
    except OSError:
        return 0


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def _remove(path: str | os.PathLike[str]) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class Session:
    """One root's use of the cache in one run: the run record first, then, on a
    miss, the file results once the plan is known."""

    def __init__(self, store: RootCache, slot: str, hashed: Hashed,
                 files: dict[str, tuple[str, str]], previous: RunRecord | None) -> None:
        self.store = store
        self.slot = slot
        self.hashed = hashed
        self.digests = hashed.digests  # display path -> bytes digest, for this root's files
        self.plan_key: str | None = None
        self._files = files  # display path -> (root-relative path, path), in discovery order
        self._previous = previous
        self._explicit = False
        self._used_keys: list[str] = []

    @classmethod
    def start(cls, store: RootCache, setup: str, files: Sequence[tuple[str, Any]]) -> Session:
        """Hash every file of the root (``files``: (path, `FileInfo`) pairs), with the
        last run record's stamps sparing the reading of files not written since."""
        previous = store.last_run(setup)
        hashed = hash_files(files, previous)
        return cls(store, setup, hashed, {info.path: (info.relpath, path) for path, info in files}, previous)

    def record(self) -> RunRecord | None:
        """The stored outcome of this very run, if there is one."""
        record = self._previous
        if record is None or not self._same_sources(record):
            return None
        if not record.targets_unchanged() or not inputs.still_hold(record.notes):
            return None
        self.store.stats = Stats(hits=record.processed, misses=0, whole_run=True)
        if self.hashed.read:
            # Files read because they had changed just before the record was made
            # are old enough to be trusted now: spare the next run reading them.
            self.store.store_run(self.slot, dataclasses.replace(
                record, sources=self._sources(), stamped_at=self.hashed.stamped_at))
        return record

    def _same_sources(self, record: RunRecord) -> bool:
        if list(record.sources) != list(self._files):
            return False
        return all(
            entry.relpath == self._files[shown][0] and entry.digest == self.digests[shown]
            for shown, entry in record.sources.items()
        )

    def _sources(self) -> dict[str, SourceEntry]:
        return {
            shown: SourceEntry(relpath, self.hashed.stamps[shown], bytes_digest)
            for shown, (relpath, _) in self._files.items()
            if (bytes_digest := self.digests.get(shown)) is not None
        }

    @property
    def paths(self) -> dict[str, str]:
        """Display path -> path of each file of the root."""
        return {shown: path for shown, (_, path) in self._files.items()}

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
        if result is None or result.path != shown:
            self.store.stats.misses += 1
            return None
        self.store.stats.hits += 1
        self._used_keys.append(key)
        return result

    def unchanged_since_hashed(self, shown: str) -> bool:
        """Whether the file is as it was hashed: same stamp (any write sets a new
        ctime), and for a file changed within `RACY_NS` of the hashing, same bytes."""
        path = self._files[shown][1]
        stamp = file_stamp(path)
        if stamp is None or stamp != self.hashed.stamps.get(shown):
            return False
        return not _racy(stamp, self.hashed.stamped_at) or file_digest(path) == self.digests.get(shown)

    def remember(self, result: FileResult) -> None:
        """Store a computed result if its file is still as it was hashed."""
        key = self._file_key(result.path)
        if key is not None and storable(result) and self.unchanged_since_hashed(result.path):
            self.store.store_file(key, result)
            self._used_keys.append(key)

    def finish(self, results: Iterable[FileResult], created: Sequence[tuple[FileResult, Path]],
               existing: Sequence[Path], facts: RootFacts, notes: list[Any]) -> None:
        """Store the run record, unless some result must be computed again next time
        or some file changed while the run read it."""
        mine = tuple(result for result in results if result.path in self.digests and not result.created)
        if any(value is None for value in self.digests.values()) or not all(storable(r) for r in mine):
            return
        if not all(storable(result) for result, _ in created):
            return
        if not all(self.unchanged_since_hashed(shown) for shown in self._files):
            return
        record = RunRecord(
            sources=self._sources(),
            stamped_at=self.hashed.stamped_at,
            notes=notes,
            results=mine,
            created=tuple((result, str(target)) for result, target in created),
            existing=tuple(str(target) for target in existing),
            facts=facts,
            processed=self.store.stats.hits + self.store.stats.misses,
            file_keys=tuple(dict.fromkeys(self._used_keys)),
        )
        self.store.store_run(self.slot, record)
