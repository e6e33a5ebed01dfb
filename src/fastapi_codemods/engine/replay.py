"""Command records: a repeated dry run answered from what it printed last time,
before click, the driver or any analysis is imported.

The run cache (`cache`) spares a second ``run --check`` on an unchanged tree the
analysis, but that process still imports click, pathspec and the driver, walks the
tree and hashes it: about 0.3 s on a 900-file project, where ruff's cached check
takes 0.04 s. A *command record* holds what one command line printed (stdout and
stderr, in the order written) and its exit code, with what the output depended on:

- the **command** (`command_key`): the arguments, the working folder, the
  environment (less the shell's bookkeeping in `VOLATILE_ENV`), which standard
  streams are terminals, the interpreter, and this package's files by size and
  mtime (`package_stamps`);
- the **libraries** the run uses (`LIBRARIES`): their ``__init__`` files' stamps;
- every **folder** the run listed, and every folder above a path it looked at (a
  ``pyproject.toml`` or ``.git`` appearing up there changes the output): its stamp
  and a digest of its entries' names and kinds;
- every **file** the run read in this process, the sources, and the packaging and
  deployment files the run cache only stats: stamp and bytes digest; the files the
  transforms would create, as absent.

A `Witness` collects them while the command runs: an audit hook
(`sys.addaudithook`) sees every ``open`` and ``os.scandir`` of the main process,
and the run cache notes the rest (`note_source`, `note_file`, `note_folder`,
`note_root`). A replay checks every entry: a stamp as recorded and older than the
record by more than `RACY_NS` is trusted; otherwise a file is hashed again and a
folder listed again, and the entry holds when those match. One mismatch and the
command runs as if there were no record, and records again.

Recorded: ``run --check`` and ``run --diff`` on folders with the cache on, when
every root's run record was used or stored (so every result follows from the bytes:
a file that does not parse fails the same way again, and its exit code 2 is
replayed; a file that could not be read or an internal error stores no run record),
and no program was started. A JSON document shows the run cache's counts, so
``--output-format json`` is recorded only from a run the run records answered
whole: its replay shows what a full run would. Writes, ``--interactive``,
``--report`` and single files always run in full. A progress bar is drawn on the
terminal, never recorded (`unrecorded`).

Stdlib only, and few modules of it: everything imported here is paid by every
replay.
"""

from __future__ import annotations

import io
import marshal
import os
import sys
import time

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

from fastapi_codemods import __version__
from fastapi_codemods.engine import cache_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

RECORD_FORMAT = 1
RACY_NS = cache_folder.RACY_NS
LIBRARIES = ("libcst", "black", "click", "pathspec")
VOLATILE_ENV = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})
STDOUT, STDERR = 1, 2

# `run`'s options as the command line gives them (a test compares them with click's).
RUN_FLAGS = frozenset({
    "--diff", "--check", "--interactive", "--allow-dirty", "--no-progress", "--color", "--no-color",
    "--statistics", "--format", "--no-format", "--no-cache", "-h", "--help",
})
RUN_VALUE_OPTIONS = frozenset({"--only", "--skip", "-j", "--jobs", "--exclude", "--report", "--output-format"})
# Options whose runs are never recorded: they write, ask, or print help.
NOT_RECORDED = frozenset({"--interactive", "--no-cache", "--report", "-h", "--help"})

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Invocation:
    """A ``run`` command line a record can answer: a dry run on folders."""

    def __init__(self, paths: list[str], output_format: str) -> None:
        self.paths = paths
        self.output_format = output_format

    @classmethod
    def parse(cls, argv: Sequence[str]) -> Invocation | None:
        """The invocation, None for any other command line (including any option
        this parser does not know: the full run then decides what it means)."""
        if not argv or argv[0] != "run":
            return None
        paths: list[str] = []
        given: set[str] = set()
        output_format = "text"
        tokens = iter(argv[1:])
        only_paths = False
        for token in tokens:
            if only_paths or not token.startswith("-") or token == "-":
                paths.append(token)
                continue
            if token == "--":
                only_paths = True
                continue
            name, equals, value = token.partition("=")
            if name in RUN_VALUE_OPTIONS:
                if not equals:
                    following = next(tokens, None)
                    if following is None:
                        return None
                    value = following
            elif token.startswith("-j") and token[2:].isdigit():
                name, value = "-j", token[2:]
            elif equals or name not in RUN_FLAGS:
                return None
            given.add(name)
            if name == "--output-format":
                output_format = value
        if given & NOT_RECORDED or not given & {"--check", "--diff"}:
            return None
        paths = paths or ["."]
        if not all(os.path.isdir(path) for path in paths):
            return None
        return cls(paths, output_format)

    def record_path(self, key: str) -> str:
        return os.path.join(self.paths[0], cache_folder.CACHE_DIR, cache_folder.LAYOUT, "commands", key)


def package_stamps() -> list[bytes]:
    """This package's files (templates too) by path, size and mtime: an edited
    checkout is another tool. A stat each, nothing read."""
    parts: list[bytes] = []
    _stamp_tree(_PACKAGE, "", parts)
    return parts


def _stamp_tree(folder: str, prefix: str, parts: list[bytes]) -> None:
    with os.scandir(folder) as scanned:
        entries = sorted(scanned, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _stamp_tree(entry.path, f"{prefix}{entry.name}/", parts)
        elif not entry.name.endswith((".pyc", ".pyo")):
            info = entry.stat(follow_symlinks=False)
            parts.append(f"{prefix}{entry.name}:{info.st_size}:{info.st_mtime_ns}".encode())


def digest(parts: Iterable[bytes]) -> str:
    """Hex blake2b of the parts, each length-prefixed so that no two splits collide."""
    hasher = blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()


def _text(value: object) -> bytes:
    return str(value).encode("utf-8", "surrogateescape")


def command_key(argv: Sequence[str]) -> str:
    """What the command's output depends on besides the files it reads."""
    env = sorted((name, value) for name, value in os.environ.items() if name not in VOLATILE_ENV)
    parts = [
        _text(item)
        for item in (RECORD_FORMAT, __version__, sys.version, sys.executable, sys.prefix, os.getcwd(),
                     tuple(_isatty(fd) for fd in (0, 1, 2)))
    ]
    parts.extend(_text(arg) for arg in argv)
    parts.append(b"--env--")
    parts.extend(_text(name) + b"=" + _text(value) for name, value in env)
    parts.append(b"--package--")
    parts.extend(package_stamps())
    return digest(parts)


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def file_stamp(path: str) -> tuple[int, ...] | None:
    """(size, mtime, ctime, inode, device) of a file, None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def folder_stamp(path: str) -> tuple[int, ...] | None:
    """(mtime, ctime, inode, device) of a folder, None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def listing_digest(path: str) -> str | None:
    """The digest of a folder's entry names and kinds (a symlink by its inode too:
    pointing it elsewhere makes a new one), None when it cannot be listed."""
    try:
        with os.scandir(path) as scanned:
            entries = sorted(
                (entry.name, "l%d" % entry.inode() if entry.is_symlink() else "d" if entry.is_dir() else "f")
                for entry in scanned
            )
    except OSError:
        return None
    return digest(_text(name) + b"\0" + kind.encode() for name, kind in entries)


def bytes_digest(path: str | os.PathLike[str]) -> str | None:
    """The digest of a file's bytes, None when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            return blake2b(stream.read(), digest_size=20).hexdigest()
    except OSError:
        return None


def library_stamps() -> list[tuple[str, int, int, int]] | None:
    """(path, size, mtime, ctime) of each library's ``__init__``; None when one is
    missing (an installation this record could not tell from the next)."""
    import importlib.util  # recording only

    stamps = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        if origin is None or info is None:
            return None
        stamps.append((origin, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return stamps


def _racy(stamp: tuple[int, ...], times: slice, recorded_at: int) -> bool:
    return max(stamp[times]) >= recorded_at - RACY_NS


class Replay:
    """The outcome of checking a record: its output and exit code when it holds."""

    def __init__(self, invocation: Invocation, key: str) -> None:
        self.invocation = invocation
        self.key = key
        self.refreshed = False  # some entry had to be read again: store it with new stamps

    def load(self) -> tuple[Any, ...] | None:
        try:
            with open(self.invocation.record_path(self.key), "rb") as stream:
                record = marshal.loads(stream.read())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(record, tuple) or len(record) != 8 or record[:2] != (RECORD_FORMAT, self.key):
            return None
        return record

    def holds(self, record: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The record with its stamps brought up to date, None when anything changed."""
        _, _, recorded_at, libraries, folders, files, _, _ = record
        now = time.time_ns()
        for path, *stamp in libraries:
            try:
                info = os.stat(path)
            except OSError:
                return None
            if [info.st_size, info.st_mtime_ns, info.st_ctime_ns] != stamp:
                return None
        new_folders = []
        for path, stamp, names in folders:
            current = folder_stamp(path)
            if current != stamp or (current is not None and _racy(current, slice(0, 2), recorded_at)):
                if (current is None) != (stamp is None) or listing_digest(path) != names:
                    return None
                self.refreshed = True
            new_folders.append((path, current, names))
        new_files = []
        for path, stamp, content in files:
            current = file_stamp(path)
            if current != stamp or (current is not None and _racy(current, slice(1, 3), recorded_at)):
                if (current is None) != (stamp is None) or (current is not None and bytes_digest(path) != content):
                    return None
                self.refreshed = True
            new_files.append((path, current, content))
        return (*record[:2], now, libraries, tuple(new_folders), tuple(new_files), *record[6:])


def replay(argv: Sequence[str]) -> tuple[tuple[tuple[int, bytes], ...], int] | None:
    """What a recorded command printed (`print_chunks`) and its exit code; None when
    there is no record for this command line or something it read has changed."""
    invocation = _recordable(argv)
    if invocation is None:
        return None
    attempt = Replay(invocation, command_key(argv))
    record = attempt.load()
    updated = attempt.holds(record) if record is not None else None
    if updated is None:
        return None
    if attempt.refreshed:
        # The entries read again are old enough now: spare the next replay reading them.
        _store(invocation.record_path(attempt.key), updated)
    return updated[6], updated[7]


def _recordable(argv: Sequence[str]) -> Invocation | None:
    """The command line as a record may answer it, with the cache on."""
    return None if cache_folder.disabled_by_environment() else Invocation.parse(argv)


def print_chunks(chunks: Iterable[tuple[int, bytes]]) -> None:
    """Write recorded output to stdout and stderr, in the recorded order."""
    for stream_number, chunk in chunks:
        stream = sys.stdout if stream_number == STDOUT else sys.stderr
        stream.buffer.write(chunk)
        stream.buffer.flush()


def _store(path: str, record: tuple[Any, ...]) -> None:
    cache_folder.write_atomically(path, marshal.dumps(record))


class _Tee(io.RawIOBase):
    """A binary stream that writes through to a standard stream and keeps a copy."""

    def __init__(self, target: Any, number: int, chunks: list[tuple[int, bytearray]]) -> None:
        super().__init__()
        self._target = target
        self._number = number
        self._chunks = chunks

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._target.write(data)
        self._target.flush()
        if self._chunks and self._chunks[-1][0] == self._number:
            self._chunks[-1][1].extend(data)
        else:
            self._chunks.append((self._number, bytearray(data)))
        return len(data)


class _Recorded(io.TextIOWrapper):
    """A standard text stream whose bytes are also recorded; ``original`` is the
    stream it replaces (what a progress bar draws on)."""

    original: Any


def _recording(stream: Any, number: int, chunks: list[tuple[int, bytearray]]) -> _Recorded:
    stream.flush()
    wrapped = _Recorded(_Tee(stream.buffer, number, chunks), encoding=stream.encoding, errors=stream.errors,
                        write_through=True)
    wrapped.original = stream
    return wrapped


def unrecorded(stream: Any) -> Any:
    """The stream a recorded one writes to (a progress bar is not output to replay)."""
    return getattr(stream, "original", stream)


class Witness:
    """What one command read, observed while it runs (see the module docstring)."""

    def __init__(self, invocation: Invocation, key: str) -> None:
        self.invocation = invocation
        self.key = key
        self.started_at = time.time_ns()
        self.folders: dict[str, tuple[tuple[int, ...] | None, str | None]] = {}
        self.files: dict[str, tuple[int, ...] | None] = {}
        self.digests: dict[str, tuple[tuple[int, ...], str]] = {}  # from the run cache's hashing
        self.problems: list[str] = []
        self.roots = 0
        self.answered = 0  # roots whose run record was used or stored
        self.whole = 0  # roots answered by their run record
        self.chunks: list[tuple[int, bytearray]] = []
        self._busy = False
        self._skipped = _library_folders()

    def saw_folder(self, path: str) -> None:
        path = os.path.abspath(path)
        while path not in self.folders and not path.startswith(self._skipped):
            self.folders[path] = (folder_stamp(path), listing_digest(path))
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent

    def saw_file(self, path: str) -> None:
        """A file the run read or looked for (a folder, if that is what is there)."""
        path = os.path.abspath(path)
        if path in self.files or path in self.folders or path.startswith(self._skipped) or _is_cache(path):
            return
        if os.path.isdir(path):
            self.saw_folder(path)
            return
        self.files[path] = file_stamp(path)
        self.saw_folder(os.path.dirname(path))

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self._busy:
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or _writes(mode, flags) or _is_bytecode(path):
                return
            self._observe(self.saw_file, path)
        elif event in ("os.scandir", "os.listdir"):
            path = args[0]
            if not isinstance(path, int):
                self._observe(self.saw_folder, "." if path is None else path)
        elif event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec"):
            self.problems.append(f"started a program ({event})")

    def _observe(self, see: Any, path: Any) -> None:
        self._busy = True
        try:
            see(os.fsdecode(os.fspath(path)))
        except (TypeError, ValueError):
            pass
        finally:
            self._busy = False

    def record(self, code: Any) -> None:
        """Store the record if this command may be answered from it next time."""
        if self.problems or code not in (0, 1, 2) or not self.roots or self.answered != self.roots:
            return
        if self.invocation.output_format == "json" and self.whole != self.roots:
            return
        folders = []
        for path, (stamp, names) in sorted(self.folders.items()):
            if folder_stamp(path) != stamp:
                return  # changed while the command ran: what it printed may be stale
            folders.append((path, stamp, names))
        files = []
        for path, stamp in sorted(self.files.items()):
            if file_stamp(path) != stamp:
                return
            known = self.digests.get(path)
            content = None if stamp is None else known[1] if known and known[0] == stamp else bytes_digest(path)
            if stamp is not None and content is None:
                return
            files.append((path, stamp, content))
        libraries = library_stamps()
        if libraries is None:
            return
        record = (RECORD_FORMAT, self.key, self.started_at, tuple(libraries), tuple(folders), tuple(files),
                  tuple((number, bytes(chunk)) for number, chunk in self.chunks), code)
        _store(self.invocation.record_path(self.key), record)


def _writes(mode: Any, flags: Any) -> bool:
    if isinstance(mode, str):
        return any(letter in mode for letter in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))


def _is_bytecode(path: Any) -> bool:
    """Compiled modules: the import system reads (and writes) them as it pleases."""
    try:
        return os.fsdecode(os.fspath(path)).endswith((".pyc", ".pyo"))
    except TypeError:
        return True


def _is_cache(path: str) -> bool:
    return f"{os.sep}{cache_folder.CACHE_DIR}{os.sep}" in path or path.endswith(os.sep + cache_folder.CACHE_DIR)


def _library_folders() -> tuple[str, ...]:
    """Where the interpreter's and the installed libraries' files are (the command
    key and the library stamps stand for them), and the kernel's folders."""
    import sysconfig  # recording only

    paths = sysconfig.get_paths()
    folders = {paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib") if name in paths}
    folders.update((_PACKAGE, "/proc", "/sys", "/dev"))
    return tuple(os.path.join(os.path.abspath(folder), "") for folder in folders)


_witness: Witness | None = None
_hooked = False


def watch(argv: Sequence[str]) -> Witness | None:
    """Start witnessing this command if a record could answer it next time: the
    roots' cache folders made first (the roots' listings then stay as the run sees
    them), standard streams recorded, the audit hook installed once per process."""
    global _witness, _hooked
    invocation = _recordable(argv)
    if invocation is None:
        return None
    try:
        for path in invocation.paths:
            cache_folder.ensure(os.path.join(path, cache_folder.CACHE_DIR))
    except OSError:
        return None
    try:
        witness = Witness(invocation, command_key(argv))
        streams = (_recording(sys.stdout, STDOUT, witness.chunks), _recording(sys.stderr, STDERR, witness.chunks))
    except (OSError, AttributeError, ValueError):  # no cwd, or streams that are not files
        return None
    sys.stdout, sys.stderr = streams
    _witness = witness
    if not _hooked:
        sys.addaudithook(_audit)
        if hasattr(os, "register_at_fork"):  # POSIX; elsewhere workers are spawned afresh
            os.register_at_fork(after_in_child=_forget)
        _hooked = True
    return witness


def finish(witness: Witness, code: Any) -> None:
    """Stop witnessing; record the command if it qualifies."""
    global _witness
    _witness = None
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, _Recorded):
            stream.flush()
            setattr(sys, name, stream.original)
    try:
        witness.record(code)
    except Exception:  # noqa: BLE001 - recording is a service: its failure must not fail the command
        pass


def _audit(event: str, args: tuple[Any, ...]) -> None:
    witness = _witness
    if witness is not None:
        witness.audit(event, args)


def _forget() -> None:
    """A worker process reports nothing: what it reads, the main process notes."""
    global _witness
    _witness = None


def note_file(path: str) -> None:
    """A file the run depends on without reading it here (stat only, or read in a
    worker)."""
    if _witness is not None:
        _witness.saw_file(path)


def note_folder(path: str) -> None:
    """A folder whose entries the run depends on without listing it here."""
    if _witness is not None:
        _witness.saw_folder(path)


def note_source(path: str, stamp: tuple[int, ...], content: str) -> None:
    """A source file the run cache stamped (before reading it) and hashed."""
    if _witness is not None:
        path = os.path.abspath(path)
        _witness.files[path] = stamp  # taken before the read: a change since is a mismatch
        _witness.digests[path] = (stamp, content)
        _witness.saw_folder(os.path.dirname(path))


def note_root_started() -> None:
    if _witness is not None:
        _witness.roots += 1


def note_root_answered(whole_run: bool, targets: Iterable[str]) -> None:
    """A root's run record was used (``whole_run``) or stored; ``targets`` are the
    files its transforms create or edit besides the sources."""
    if _witness is not None:
        _witness.answered += 1
        _witness.whole += whole_run
        for target in targets:
            _witness.saw_file(target)
