"""Which files a run looks at.

Walks each root, honouring ``.gitignore`` files (nested ones too, and those of the
enclosing repository above the root), ``--exclude`` globs, and a fixed list of
folders no user wants rewritten. A file named on the command line is always taken.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

from fastapi_codemods.engine.sources import read_regular_text

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "node_modules",
        "__pycache__", "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", "__pypackages__", ".fastapi_codemods_cache",
    }
)


def absolute(path: Path) -> Path:
    """Absolute and normalised (``..`` removed) without resolving symlinks."""
    return Path(os.path.abspath(path))


def import_root(folder: Path) -> Path:
    """The folder module names are relative to: the first one up without ``__init__.py``."""
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def find_git_root(path: Path) -> Path | None:
    """The top of the git work tree holding ``path`` (a ``.git`` dir or file), if any.

    Absolute, so that a relative root such as ``.`` still finds a repository above it.
    """
    path = absolute(path)
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


Excludes = Sequence[tuple[Path, Sequence[str]]]


def pattern_problem(patterns: Sequence[object]) -> str | None:
    """Why ``patterns`` are not valid exclude patterns ("'[z-a]': bad character range
    z-a"), or None: a usage error for the command line and the configuration."""
    if not patterns:
        return None
    import pathspec

    for pattern in patterns:
        if not isinstance(pattern, str):
            return f"{pattern!r} is not a string"
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, TypeError, re.error) as error:
            return f"{pattern!r}: {error}"
    return None


def _gitignore_spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    """The spec of gitignore-style ``lines``; a line git would not understand either
    is left out. pathspec is imported only by a run whose tree or command line has
    such lines (its import costs a tenth of a run answered from the cache)."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError, re.error):
        return pathspec.GitIgnoreSpec.from_lines([line for line in lines if pattern_problem([line]) is None])


class IgnoreRules:
    """Gitignore specs keyed by the folder that holds them; deeper files override.

    ``excludes`` are (folder, patterns) pairs: each pattern list is gitignore-style,
    relative to its folder (the root for ``--exclude``, the ``pyproject.toml``'s folder
    for the configuration's ``exclude``). Paths are absolute strings throughout: the
    rules are asked for every file and folder of the tree.
    """

    def __init__(self, excludes: Excludes, root: Path) -> None:
        self._specs: dict[str, pathspec.GitIgnoreSpec | None] = {}
        self._excludes = [
            (os.fspath(absolute(folder)), _gitignore_spec(patterns)) for folder, patterns in excludes if patterns
        ]
        git_root = find_git_root(root)
        self._top = os.fspath(git_root if git_root is not None else absolute(root))
        self._top_prefix = os.path.join(self._top, "")
        self._chains: dict[str, list[tuple[str, pathspec.GitIgnoreSpec]] | None] = {}

    def _spec(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            spec = None
            gitignore = os.path.join(folder, ".gitignore")
            if os.path.isfile(gitignore):
                try:
                    spec = _gitignore_spec(read_regular_text(gitignore).splitlines())
                except OSError:
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def _chain(self, folder: str) -> list[tuple[str, pathspec.GitIgnoreSpec]] | None:
        """The gitignore specs that apply inside ``folder``, deepest first; None outside
        the top. Worked out once per folder: every file of the folder asks."""
        if folder not in self._chains:
            parent = os.path.dirname(folder)
            if folder == self._top:
                outer: list[tuple[str, pathspec.GitIgnoreSpec]] | None = []
            elif parent == folder or not folder.startswith(self._top_prefix):
                outer = None
            else:
                outer = self._chain(parent)
            spec = self._spec(folder) if outer is not None else None
            self._chains[folder] = outer if outer is None or spec is None else [(folder, spec), *outer]
        return self._chains[folder]

    def ignored(self, path: str, is_dir: bool, parent: str | None = None) -> bool:
        """Whether ``path`` (absolute; ``parent`` its folder, when the caller has it)
        is excluded or git-ignored."""
        suffix = "/" if is_dir else ""
        for folder, spec in self._excludes:
            relative = _relative(path, folder)
            if relative is not None and spec.match_file(relative + suffix):
                return True
        for folder, spec in self._chain(parent if parent is not None else os.path.dirname(path)) or ():
            relative = _relative(path, folder)
            result = spec.check_file((relative or "") + suffix)
            if result.include is not None:
                return result.include
        return False


def _relative(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` in POSIX form, None when it is not inside."""
    prefix = os.path.join(folder, "")
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix):]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def is_virtualenv(folder: str | Path) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def iter_python_files(root: Path, excludes: Excludes = ()) -> Iterator[Path]:
    """Python files under ``root`` (absolute paths), sorted, minus ignored folders and files."""
    return map(Path, python_files(root, excludes))


def python_files(root: Path, excludes: Excludes = ()) -> Iterator[str]:
    """`iter_python_files` as strings: the walk of a large tree makes no path object
    per file (they cost more than the walk's own system calls)."""
    root = absolute(root)
    if root.is_file():
        yield os.fspath(root)
        return
    rules = IgnoreRules(excludes, root)
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scanned:
                entries = sorted(scanned, key=lambda entry: entry.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info"):
                    continue
                path = entry.path
                if is_virtualenv(path) or rules.ignored(path, is_dir=True, parent=folder):
                    continue
                subfolders.append(path)
            elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                if not rules.ignored(entry.path, is_dir=False, parent=folder):
                    yield entry.path
        stack.extend(reversed(subfolders))
