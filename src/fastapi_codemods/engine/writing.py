"""Replacing a file with its rewrite, or refusing to: the only code that writes.

A rewrite was computed from the bytes read at the start of the run (``result.old``);
the file may have changed since (an editor saving during ``--interactive``, a
command in another terminal, ``--allow-dirty`` in a pre-commit hook), or been
replaced by a symlink. Right before the replace the file is checked again (through
a descriptor of its folder where the platform has them, so that every step names
the same directory entry):

- a symlink or anything but a regular file is refused (never written through);
- a read-only file is refused unless ``allow_readonly``;
- bytes that differ from ``result.old`` are refused: "changed during the run".

The new bytes go to a temporary file in the same folder, then ``os.replace``: a
reader sees the old file or the new one, never a part. Temporary files are named
``.NAME.fastapi-codemods-PID-XXXXXXXX.tmp``: removed when the write is interrupted
(Ctrl-C, SIGTERM), and, after a SIGKILL, by the next run that writes in that folder
once their process is gone.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fastapi_codemods.engine.results import FileResult, Status

CHANGED_DURING_RUN = "changed during the run: not written"
TEMP_MARK = ".fastapi-codemods-"
_TEMP_NAME = re.compile(r"\..+\.fastapi-codemods-(?P<pid>\d+)-[0-9a-f]{8}\.tmp")


class Refused(Exception):
    """The file must not be written; the message says why (the report's error)."""


# Test hook: called with the file's name right before each replace. Fault injection
# (a kill after N writes, an edit racing the write) needs a point inside the write
# loop that is not a timing guess.
before_replace: Callable[[str], None] | None = None


@dataclass
class Writer:
    """Writes one run's results; remembers the folders it has cleaned of stale
    temporary files."""

    allow_readonly: bool = False
    _cleaned: set[str] = field(default_factory=set)

    def write(self, result: FileResult, path: Path) -> FileResult:
        """``result.new`` into ``path``; the result, or FAILED with the reason."""
        assert result.new is not None
        folder_path, name = os.path.split(os.path.abspath(path))
        try:
            if result.created:
                os.makedirs(folder_path, exist_ok=True)
            folder = _Folder(folder_path)
        except OSError as error:
            return _failed(result, f"cannot write: {error}")
        try:
            if folder_path not in self._cleaned:
                self._cleaned.add(folder_path)
                folder.remove_stale_temps()
            _replace(result, name, folder, self.allow_readonly)
        except Refused as refusal:
            return _failed(result, str(refusal))
        except OSError as error:
            return _failed(result, f"cannot write: {error}")
        finally:
            folder.close()
        return result


# Where the platform allows it (Linux, macOS) every step goes through one descriptor
# of the folder, so a folder renamed or swapped for a symlink meanwhile cannot
# redirect a later step; elsewhere (Windows) through the folder's path.
_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd


class _Folder:
    """The folder a file is written in, and the operations on its entries."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = (os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
                   if _DIR_FD else None)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def _at(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.path, name)

    def lstat(self, name: str) -> os.stat_result:
        return os.lstat(self._at(name), dir_fd=self.fd)

    def open(self, name: str, flags: int, mode: int = 0o777) -> int:
        return os.open(self._at(name), flags, mode, dir_fd=self.fd)

    def unlink(self, name: str) -> None:
        os.unlink(self._at(name), dir_fd=self.fd)

    def replace(self, source: str, target: str) -> None:
        os.replace(self._at(source), self._at(target), src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def link(self, source: str, target: str) -> None:
        os.link(self._at(source), self._at(target), src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def remove_stale_temps(self) -> list[str]:
        """Remove the temporary files an earlier run left here (killed before it
        could): ours by name, and only when the process that made them is gone, so
        a concurrent run's file in flight is left alone. Returns the names removed."""
        removed = []
        for name in os.listdir(self.fd if self.fd is not None else self.path):
            match = _TEMP_NAME.fullmatch(name)
            if match is None or _alive(int(match["pid"])):
                continue
            try:
                if stat.S_ISREG(self.lstat(name).st_mode):
                    self.unlink(name)
                    removed.append(name)
            except OSError:
                pass
        return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _replace(result: FileResult, name: str, folder: _Folder, allow_readonly: bool) -> None:
    mode = result.mode
    if not result.created:
        mode = _check_current(result, name, folder, allow_readonly)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temp = _temp_name(name)
    descriptor = folder.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                             | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(result.new or b"")
            stream.flush()
            os.fsync(stream.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(stream.fileno(), mode)
        if not hasattr(os, "fchmod"):
            os.chmod(os.path.join(folder.path, temp), mode)
        if before_replace is not None:
            before_replace(name)
        if result.created:
            _move_new(temp, name, folder)
        else:
            # Checked again as late as possible: the window left is this call.
            _check_current(result, name, folder, allow_readonly)
            folder.replace(temp, name)
    except BaseException:
        # Ctrl-C, SIGTERM (the command line turns it into an exception) or an error:
        # no temporary file stays behind.
        try:
            folder.unlink(temp)
        except OSError:
            pass
        raise


def _check_current(result: FileResult, name: str, folder: _Folder, allow_readonly: bool) -> int:
    """The file's permission bits, after checking it is still the regular file,
    with the same bytes, that the rewrite was computed from."""
    try:
        status = folder.lstat(name)
    except FileNotFoundError:
        raise Refused("removed during the run: not written") from None
    if stat.S_ISLNK(status.st_mode):
        raise Refused(_SYMLINK)
    if not stat.S_ISREG(status.st_mode):
        raise Refused("not a regular file: not written")
    mode = stat.S_IMODE(status.st_mode)
    if not allow_readonly and not mode & 0o222:
        raise Refused(f"read-only (mode {mode:04o}): not written; --allow-readonly rewrites read-only files")
    try:
        current = _read_entry(name, folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Refused(_SYMLINK) from None
        raise
    if current != result.old:
        raise Refused(CHANGED_DURING_RUN)
    return mode


_SYMLINK = "now a symbolic link: not written (links are never written through)"


def _read_entry(name: str, folder: _Folder) -> bytes:
    flags = (os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))
    descriptor = folder.open(name, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise Refused("not a regular file: not written")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _temp_name(name: str) -> str:
    return f".{name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}.tmp"


def _move_new(source: str, target: str, folder: _Folder) -> None:
    """Move ``source`` to ``target`` only if nothing is there (a hard link cannot clobber)."""
    try:
        folder.link(source, target)
    except FileExistsError:
        raise Refused("appeared during the run: not created") from None
    except OSError:
        # Filesystems without hard links: check, then replace (a narrow race).
        try:
            folder.lstat(target)
        except FileNotFoundError:
            folder.replace(source, target)
            return
        raise Refused("appeared during the run: not created") from None
    folder.unlink(source)


def _failed(result: FileResult, error: str) -> FileResult:
    return replace(result, status=Status.FAILED, new=None, error=error)


def is_temp_name(name: str) -> bool:
    """A temporary file of ours (any process's)."""
    return _TEMP_NAME.fullmatch(name) is not None

