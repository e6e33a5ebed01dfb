"""The files beside the sources that an analysis looked at, and what it found.

Project analyses read more than Python sources: packaging files (is gunicorn
declared?), deployment files (does a Dockerfile start several workers?), whether a
folder or a file exists. Every such question goes through one `Inputs` object (the
`analysis.project.Project` methods delegate to it), which notes the question and
its answer. The run cache stores the notes with a run record and asks every
question again before trusting the record (`still_hold`): a new ``gunicorn.conf.py``
at the git root or a parent ``setup.py`` gaining gunicorn changes an answer, so the
record misses. An analysis cannot forget to declare an input: what it did not ask
through here, it could not have read.

Only regular files are read (a FIFO named ``requirements.txt`` must not hang a run).

Globs are answered from folder listings taken once per folder (`Listings`): the
analysis of a large tree asks a hundred folders for ``*.*`` and ``*/``, and the
cache asks them all again on every run it answers, so a ``glob.glob`` per question
(a listing per question) was a fifth of that run.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable

try:  # hashlib itself imports OpenSSL's bindings first: a tenth of a cached run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - interpreters without the C module
    from hashlib import blake2b

from fastapi_codemods.engine.sources import read_regular

# (kind, path, pattern): "read" (the bytes' digest), "kind" (file, dir, other or
# None) or "glob" (the sorted matching paths); answers are plain data.
Question = tuple[str, str, str]


def content_digest(data: bytes) -> str:
    return blake2b(data, digest_size=20).hexdigest()


def _kind(path: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def _read(path: str) -> bytes | None:
    try:
        return read_regular(path)
    except (OSError, ValueError):
        return None


class Listings:
    """Folder listings, each taken once: the names in a folder and, apart, those
    of its subfolders (following symlinks, as ``glob`` does); empty for a folder
    that cannot be listed."""

    def __init__(self) -> None:
        self._listed: dict[str, tuple[list[str], list[str]]] = {}

    def of(self, folder: str) -> tuple[list[str], list[str]]:
        listed = self._listed.get(folder)
        if listed is None:
            names: list[str] = []
            folders: list[str] = []
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        names.append(entry.name)
                        try:
                            if entry.is_dir():
                                folders.append(entry.name)
                        except OSError:
                            pass
            except OSError:
                pass
            listed = self._listed[folder] = (names, folders)
        return listed

    def glob(self, folder: str, pattern: str) -> list[str]:
        """Paths under ``folder`` matching the relative ``pattern``, sorted: what
        ``glob.glob(os.path.join(glob.escape(folder), pattern))`` gives (no ``**``;
        ``*`` skips names starting with a dot unless the pattern's part does too; a
        trailing ``/`` keeps folders, shown with the slash)."""
        paths = [folder]
        parts = pattern.split("/")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last and not part:  # "name/": the folders found so far
                paths = [os.path.join(path, "") for path in paths if os.path.isdir(path)]
            elif not _MAGIC.intersection(part):
                paths = [os.path.join(path, part) for path in paths]
                if last:
                    paths = [path for path in paths if os.path.lexists(path)]
            else:
                match = _compiled(part)
                hidden = part.startswith(".")
                paths = [
                    os.path.join(path, name)
                    for path in paths
                    for name in filter(match, self.of(path)[0 if last else 1])
                    if hidden or not name.startswith(".")
                ]
        return sorted(paths)


@functools.lru_cache(maxsize=None)
def _compiled(part: str) -> Callable[[str], object]:
    """The matcher of one glob part (case-sensitive, as ``glob`` on POSIX)."""
    return re.compile(fnmatch.translate(part)).match


_MAGIC = frozenset("*?[")


def answer(question: Question, listings: Listings | None = None) -> str | list[str] | None:
    """The answer to one question as the file system gives it now."""
    kind, path, pattern = question
    if kind == "read":
        data = _read(path)
        return None if data is None else content_digest(data)
    if kind == "kind":
        return _kind(path)
    if kind == "glob":
        return (listings or Listings()).glob(path, pattern)
    raise ValueError(f"unknown question {kind!r}")


class Inputs:
    """The questions one root's analysis asked, with their answers."""

    def __init__(self) -> None:
        self.asked: dict[Question, str | list[str] | None] = {}
        self._texts: dict[str, bytes | None] = {}
        self._listings = Listings()

    def read(self, path: str | os.PathLike[str]) -> bytes | None:
        """The bytes of a regular file, None when there is none or it cannot be read."""
        key = os.path.abspath(path)
        if key not in self._texts:
            data = self._texts[key] = _read(key)
            self.asked[("read", key, "")] = None if data is None else content_digest(data)
        return self._texts[key]

    def kind(self, path: str | os.PathLike[str]) -> str | None:
        """"file", "dir", "other" (a FIFO, a device) or None when nothing is there."""
        question = ("kind", os.path.abspath(path), "")
        if question not in self.asked:
            self.asked[question] = _kind(question[1])
        found = self.asked[question]
        return found if isinstance(found, str) else None

    def glob(self, folder: str | os.PathLike[str], pattern: str) -> list[str]:
        question = ("glob", os.path.abspath(folder), pattern)
        if question not in self.asked:
            self.asked[question] = self._listings.glob(question[1], pattern)
        found = self.asked[question]
        return list(found) if isinstance(found, list) else []

    def notes(self) -> list[list[object]]:
        """The questions and answers as plain data (for the run record)."""
        return [[kind, path, pattern, found] for (kind, path, pattern), found in sorted(
            self.asked.items(), key=lambda item: item[0])]


def still_hold(notes: object) -> bool:
    """Whether every noted question gets the noted answer now; False for notes of
    the wrong shape."""
    if not isinstance(notes, list):
        return False
    listings = Listings()
    for note in notes:
        if not (isinstance(note, list) and len(note) == 4 and all(isinstance(part, str) for part in note[:3])):
            return False
        kind, path, pattern, found = note
        try:
            if answer((kind, path, pattern), listings) != found:
                return False
        except ValueError:
            return False
    return True
