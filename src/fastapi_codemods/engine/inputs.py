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
"""

from __future__ import annotations

import glob
import os
import stat

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


def _glob(folder: str, pattern: str) -> list[str]:
    """Paths under ``folder`` matching ``pattern``, sorted (``glob`` with the folder
    escaped, so a ``[`` in a folder name is that character)."""
    return sorted(glob.glob(os.path.join(glob.escape(folder), pattern)))


def answer(question: Question) -> str | list[str] | None:
    """The answer to one question as the file system gives it now."""
    kind, path, pattern = question
    if kind == "read":
        data = _read(path)
        return None if data is None else content_digest(data)
    if kind == "kind":
        return _kind(path)
    if kind == "glob":
        return _glob(path, pattern)
    raise ValueError(f"unknown question {kind!r}")


class Inputs:
    """The questions one root's analysis asked, with their answers."""

    def __init__(self) -> None:
        self.asked: dict[Question, str | list[str] | None] = {}
        self._texts: dict[str, bytes | None] = {}

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
            self.asked[question] = _glob(question[1], pattern)
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
    for note in notes:
        if not (isinstance(note, list) and len(note) == 4 and all(isinstance(part, str) for part in note[:3])):
            return False
        kind, path, pattern, found = note
        try:
            if answer((kind, path, pattern)) != found:
                return False
        except ValueError:
            return False
    return True
