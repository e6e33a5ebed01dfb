"""Which runtime dependencies a project declares, read from its packaging files.

Used to decide whether generated code may import a third-party package: only when
the project already declares it as a runtime dependency. Development-only
declarations (dev groups, ``requirements-dev.txt``, extras) do not count, since
the package may be missing where the application runs. Files are read through
`Project.text`, never written.
"""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi_codemods.analysis.astindex import walk
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.config import tomllib

# Requirement files whose name says they are not for running the application.
_NOT_RUNTIME = frozenset(
    {
        "dev",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "docs",
        "doc",
        "ci",
        "typing",
        "local",
    }
)
_REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)")


def normalize(name: str) -> str:
    """PEP 503 name normalisation: ``Python_JSON.logger`` is ``python-json-logger``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_specs(project: Project, package: str) -> list[str] | None:
    """Version specifiers under which ``package`` is a runtime dependency.

    None when it is not declared; ``[""]`` for a declaration without a version.
    Looks in the root and its parent folders up to the enclosing git work tree
    (a backend folder often has its packaging files one level up).
    """
    wanted = normalize(package)
    specs = [spec.strip() for name, spec in _declarations(project) if normalize(name) == wanted]
    return specs or None


def _folders(project: Project) -> Iterator[Path]:
    """The root, then its parents up to the first that holds packaging files (or .git)."""
    folder = project.root.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        yield candidate
        if (
            (candidate / ".git").exists()
            or any(
                (candidate / name).is_file()
                for name in ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py")
            )
            or any(candidate.glob("requirements*.txt"))
        ):
            return


def _declarations(project: Project) -> Iterator[tuple[str, str]]:
    for folder in _folders(project):
        yield from _pyproject(project.text(folder / "pyproject.toml"))
        yield from _pipfile(project.text(folder / "Pipfile"))
        yield from _setup_cfg(project.text(folder / "setup.cfg"))
        yield from _setup_py(project.text(folder / "setup.py"))
        for pattern in ("requirements*.txt", "requirements/*.txt"):
            for path in sorted(folder.glob(pattern)):
                if not _NOT_RUNTIME.intersection(re.split(r"[-_.]+", path.stem.lower())):
                    yield from _requirement_lines(project.text(path))


def _requirement_lines(text: str | None) -> Iterator[tuple[str, str]]:
    for line in (text or "").splitlines():
        if line.strip().startswith(("#", "-")):
            continue
        match = _REQUIREMENT.match(line)
        if match:
            yield match.group("name"), match.group("spec")


def _toml(text: str | None) -> dict:
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except ValueError:
        return {}


def _pyproject(text: str | None) -> Iterator[tuple[str, str]]:
    data = _toml(text)
    for requirement in data.get("project", {}).get("dependencies", []) or []:
        if isinstance(requirement, str):
            yield from _requirement_lines(requirement)
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    yield from _poetry_table(poetry)


def _pipfile(text: str | None) -> Iterator[tuple[str, str]]:
    yield from _poetry_table(_toml(text).get("packages", {}) or {})


def _poetry_table(table: dict) -> Iterator[tuple[str, str]]:
    """Poetry and Pipfile tables: ``name = "^2.0"`` or ``name = {version = "..."}``."""
    for name, value in table.items():
        if isinstance(value, dict):
            value = value.get("version", "")
        if isinstance(value, str):
            yield name, _poetry_spec(value)


def _poetry_spec(spec: str) -> str:
    """Poetry's ``^X.Y`` and ``~X.Y`` as PEP 440 ranges; ``*`` as no constraint."""
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    match = re.fullmatch(r"([\^~])\s*(\d+)(?:\.(\d+))?(?:\.\d+)*", spec)
    if not match:
        return spec
    kind, major, minor = match.group(1), int(match.group(2)), match.group(3)
    lower = spec[1:].strip()
    if kind == "^" and major > 0:
        return f">={lower},<{major + 1}"
    if minor is not None:
        return f">={lower},<{major}.{int(minor) + 1}"
    return f">={lower},<{major + 1}"


def _setup_cfg(text: str | None) -> Iterator[tuple[str, str]]:
    if not text:
        return
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return
    yield from _requirement_lines(parser.get("options", "install_requires", fallback=""))


def _setup_py(text: str | None) -> Iterator[tuple[str, str]]:
    """String literals in ``install_requires=[...]`` of a ``setup(...)`` call."""
    if not text:
        return
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "install_requires":
            for item in walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield from _requirement_lines(item.value)
