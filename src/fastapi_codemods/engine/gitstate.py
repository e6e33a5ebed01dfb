"""Asking git which files hold uncommitted work, so a run never mixes with it."""

from __future__ import annotations

import subprocess
from pathlib import Path

# Paths per git invocation: far below any command-line length limit.
CHUNK = 500


class GitFailed(Exception):
    """git could not answer (not installed, "dubious ownership", a full disk): the
    message is what git said."""


def dirty_files(git_root: Path, paths: list[Path]) -> list[Path]:
    """Of ``paths``, those whose current content git could not give back.

    That is every file not tracked (untracked, or ignored: never committed) and every
    tracked file that is modified or staged. Raises `GitFailed` when git itself
    fails: the caller refuses to write, saying why.
    """
    if not paths:
        return []
    root = git_root.resolve()
    relative = [path.resolve().relative_to(root).as_posix() for path in paths]
    tracked: set[str] = set()
    changed: set[str] = set()
    try:
        for start in range(0, len(relative), CHUNK):
            chunk = relative[start : start + CHUNK]
            tracked.update(_names(_git(root, "ls-files", "-z", "--", *chunk)))
            changed.update(_status_names(_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", *chunk)))
    except OSError as error:
        raise GitFailed(f"cannot run git: {error.strerror or error}") from error
    except subprocess.CalledProcessError as error:
        said = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(said[0] if said else f"git exited with code {error.returncode}") from error
    return [path for path, rel in zip(paths, relative) if rel not in tracked or rel in changed]


def _git(root: Path, *args: str) -> bytes:
    # Literal pathspecs: a file named ``[x].py`` is that file, not a glob.
    return subprocess.run(
        ["git", "--literal-pathspecs", *args], cwd=root, capture_output=True, check=True
    ).stdout


def _names(output: bytes) -> list[str]:
    return [entry.decode("utf-8", "surrogateescape") for entry in output.split(b"\0") if entry]


def _status_names(output: bytes) -> set[str]:
    """Paths in ``git status --porcelain=v1 -z`` output (a rename's source skipped)."""
    names: set[str] = set()
    entries = output.split(b"\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        names.add(entry[3:].decode("utf-8", "surrogateescape"))
        if entry[:1] in (b"R", b"C"):
            index += 1
    return names
