"""Asking git which files hold uncommitted work, so a run never mixes with it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def dirty_files(git_root: Path, paths: list[Path]) -> list[Path]:
    """Of ``paths``, those that are modified, staged or untracked in ``git_root``.

    An untracked file counts: its previous content exists nowhere git could restore.
    If git itself cannot be run the answer is "all of them", to stay on the safe side.
    """
    if not paths:
        return []
    relative = [str(path.resolve().relative_to(git_root.resolve())) for path in paths]
    try:
        completed = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *relative],
            cwd=git_root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return list(paths)
    dirty: set[str] = set()
    entries = completed.stdout.split(b"\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        status, name = entry[:2], entry[3:].decode("utf-8", "surrogateescape")
        dirty.add(name)
        if status[:1] in (b"R", b"C"):
            index += 1
    return [path for path, rel in zip(paths, relative) if rel in dirty]
