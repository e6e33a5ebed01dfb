"""Replacing a file with its rewrite, or refusing to: the only code that writes.

A rewrite was computed from the bytes read at the start of the run (``result.old``);
the file may have changed since (an editor saving during ``--interactive``, a
command in another terminal, ``--allow-dirty`` in a pre-commit hook), or been
replaced by a symlink. Right before the replace the file is checked again, through
a descriptor of its folder so that every step names the same directory entry:

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
import secrets
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


# Test hook: called with the target path right before each replace. Fault injection
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
        folder, name = os.path.split(os.path.abspath(path))
        try:
            if result.created:
                os.makedirs(folder, exist_ok=True)
            folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            return _failed(result, f"cannot write: {error}")
        try:
            self._clean(folder, folder_fd)
            _replace(result, name, folder_fd, self.allow_readonly)
        except Refused as refusal:
            return _failed(result, str(refusal))
        except OSError as error:
            return _failed(result, f"cannot write: {error}")
        finally:
            os.close(folder_fd)
        return result

    def _clean(self, folder: str, folder_fd: int) -> None:
        if folder not in self._cleaned:
            self._cleaned.add(folder)
            remove_stale_temps(folder_fd)


def remove_stale_temps(folder_fd: int) -> list[str]:
    """Remove the temporary files an earlier run left in the folder (killed before
    it could): ours by name, and only when the process that made them is gone, so
    a concurrent run's file in flight is left alone. Returns the names removed."""
    removed = []
    for name in os.listdir(folder_fd):
        match = _TEMP_NAME.fullmatch(name)
        if match is None or _alive(int(match["pid"])):
            continue
        try:
            if stat.S_ISREG(os.lstat(name, dir_fd=folder_fd).st_mode):
                os.unlink(name, dir_fd=folder_fd)
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


def _replace(result: FileResult, name: str, folder_fd: int, allow_readonly: bool) -> None:
    mode = result.mode
    if not result.created:
        mode = _check_current(result, name, folder_fd, allow_readonly)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temp = _temp_name(name)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600,
                         dir_fd=folder_fd)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(result.new or b"")
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), mode)
        if before_replace is not None:
            before_replace(name)
        if result.created:
            _move_new(temp, name, folder_fd)
        else:
            # Checked again as late as possible: the window left is this call.
            _check_current(result, name, folder_fd, allow_readonly)
            os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        # Ctrl-C, SIGTERM (the command line turns it into an exception) or an error:
        # no temporary file stays behind.
        try:
            os.unlink(temp, dir_fd=folder_fd)
        except OSError:
            pass
        raise


def _check_current(result: FileResult, name: str, folder_fd: int, allow_readonly: bool) -> int:
    """The file's permission bits, after checking it is still the regular file,
    with the same bytes, that the rewrite was computed from."""
    try:
        status = os.lstat(name, dir_fd=folder_fd)
    except FileNotFoundError:
        raise Refused("removed during the run: not written") from None
    if stat.S_ISLNK(status.st_mode):
        raise Refused("now a symbolic link: not written (links are never written through)")
    if not stat.S_ISREG(status.st_mode):
        raise Refused("not a regular file: not written")
    mode = stat.S_IMODE(status.st_mode)
    if not allow_readonly and not mode & 0o222:
        raise Refused(f"read-only (mode {mode:04o}): not written; --allow-readonly rewrites read-only files")
    try:
        current = _read_entry(name, folder_fd)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Refused("now a symbolic link: not written (links are never written through)") from None
        raise
    if current != result.old:
        raise Refused(CHANGED_DURING_RUN)
    return mode


def _read_entry(name: str, folder_fd: int) -> bytes:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(name, flags, dir_fd=folder_fd)
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
    return f".{name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _move_new(source: str, target: str, folder_fd: int) -> None:
    """Move ``source`` to ``target`` only if nothing is there (a hard link cannot clobber)."""
    try:
        os.link(source, target, src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=False)
    except FileExistsError:
        raise Refused("appeared during the run: not created") from None
    except OSError:
        # Filesystems without hard links: check, then replace (a narrow race).
        try:
            os.lstat(target, dir_fd=folder_fd)
        except FileNotFoundError:
            os.replace(source, target, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
            return
        raise Refused("appeared during the run: not created") from None
    os.unlink(source, dir_fd=folder_fd)


def _failed(result: FileResult, error: str) -> FileResult:
    return replace(result, status=Status.FAILED, new=None, error=error)


def is_temp_name(name: str) -> bool:
    """A temporary file of ours (any process's)."""
    return _TEMP_NAME.fullmatch(name) is not None

