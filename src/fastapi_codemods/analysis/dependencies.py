"""Which runtime dependencies a project declares, read from its packaging files.

Used to decide whether generated code may import a third-party package: only when
the project already declares it as a runtime dependency. Development-only
declarations (dev groups, ``requirements-dev.txt``, extras) do not count, since
the package may be missing where the application runs. An unpacked wheel has no
packaging file but its ``*.dist-info/METADATA``, whose ``Requires-Dist`` lines
without an ``extra`` marker are its runtime dependencies. Files are read through
`Project.text`, never written.

`runtime_declarations` also says where each declaration is (file and line), for the
audit's evidence.
"""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from fastapi_codemods.analysis.astindex import walk
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.tomlreader import tomllib

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
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?P<spec>[^;#]*)"
)
_EXTRA_MARKER = re.compile(r"\bextra\s*==")


class Declaration(NamedTuple):
    """One runtime dependency as declared: ``name`` as written, the extras asked for,
    the version specifier ("" for none), and where (``line`` 0 when unknown)."""

    name: str
    extras: frozenset[str]
    spec: str
    path: Path
    line: int

    @property
    def normalized(self) -> str:
        return normalize(self.name)


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
    specs = [item.spec.strip() for item in runtime_declarations(project) if item.normalized == wanted]
    return specs or None


def runtime_declarations(project: Project) -> Iterator[Declaration]:
    """Every runtime dependency declaration found as `declared_specs` looks for them."""
    for folder in _folders(project):
        yield from folder_declarations(project, folder)


def folder_declarations(project: Project, folder: Path) -> Iterator[Declaration]:
    """The runtime dependency declarations of the packaging files in ``folder`` itself."""
    yield from _pyproject(project, folder / "pyproject.toml")
    yield from _pipfile(project, folder / "Pipfile")
    yield from _setup_cfg(project, folder / "setup.cfg")
    yield from _setup_py(project, folder / "setup.py")
    for pattern in ("requirements*.txt", "requirements/*.txt"):
        for path in project.glob(folder, pattern):
            if not _NOT_RUNTIME.intersection(re.split(r"[-_.]+", path.stem.lower())):
                yield from _requirements_file(project, path)
    for path in project.glob(folder, "*.dist-info/METADATA"):
        yield from _wheel_metadata(project, path)


def app_declarations(project: Project, app_folders: list[Path]) -> list[Declaration]:
    """The declarations that install an app living below the root: those of the
    nearest of ``app_folders`` (the app's folder first, up to the root, which is not
    one of them) whose own files declare fastapi or uvicorn (``backend/requirements.txt``
    when the root is the repository); else the root's and its parents'."""
    for folder in app_folders:
        found = list(folder_declarations(project, folder))
        if any(item.normalized in ("fastapi", "uvicorn") for item in found):
            return found
    return list(runtime_declarations(project))


PACKAGING_NAMES = ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py")


def root_folder(project: Project) -> Path:
    """The folder of the root (its own folder when the root is a single file)."""
    folder = project.root.resolve()
    return folder if folder.is_dir() else folder.parent


def _folders(project: Project) -> Iterator[Path]:
    """The root, then its parents up to the first that holds packaging files (or .git)."""
    folder = root_folder(project)
    for candidate in (folder, *folder.parents):
        yield candidate
        if (
            project.exists(candidate / ".git")
            or any(project.is_file(candidate / name) for name in PACKAGING_NAMES)
            or project.glob(candidate, "requirements*.txt")
            or project.glob(candidate, "*.dist-info/METADATA")
        ):
            return


def _requirement(text: str, path: Path, line: int) -> Iterator[Declaration]:
    """The declaration in one requirement string, if it is one."""
    if text.strip().startswith(("#", "-")):
        return
    match = _REQUIREMENT.match(text)
    if match:
        extras = frozenset(normalize(extra.strip()) for extra in (match.group("extras") or "").split(",")
                           if extra.strip())
        yield Declaration(match.group("name"), extras, match.group("spec"), path, line)


def _requirements_file(project: Project, path: Path) -> Iterator[Declaration]:
    for number, line in enumerate((project.text(path) or "").splitlines(), 1):
        yield from _requirement(line, path, number)


def _wheel_metadata(project: Project, path: Path) -> Iterator[Declaration]:
    for number, line in enumerate((project.text(path) or "").splitlines(), 1):
        requirement = line.partition(":")[2]
        marker = requirement.partition(";")[2]
        if line.startswith("Requires-Dist:") and not _EXTRA_MARKER.search(marker):
            yield from _requirement(requirement, path, number)


def _toml(text: str | None) -> dict:
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except ValueError:
        return {}


def _line_of(text: str, pattern: str, after: int = 0) -> int:
    """The 1-based line of the first match of ``pattern`` at or after offset
    ``after``; 0 when there is none (TOML parsers keep no positions)."""
    match = re.compile(pattern, re.MULTILINE).search(text, after)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _pyproject(project: Project, path: Path) -> Iterator[Declaration]:
    text = project.text(path)
    data = _toml(text)
    for requirement in data.get("project", {}).get("dependencies", []) or []:
        if isinstance(requirement, str):
            line = _line_of(text or "", "[\"']" + re.escape(requirement) + "[\"']")
            yield from _requirement(requirement, path, line)
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    yield from _poetry_table(poetry, text or "", r"^\[tool\.poetry\.dependencies\]", path)


def _pipfile(project: Project, path: Path) -> Iterator[Declaration]:
    text = project.text(path)
    yield from _poetry_table(_toml(text).get("packages", {}) or {}, text or "", r"^\[packages\]", path)


def _poetry_table(table: dict, text: str, header: str, path: Path) -> Iterator[Declaration]:
    """Poetry and Pipfile tables: ``name = "^2.0"`` or ``name = {version = "...", extras = [...]}``."""
    start = re.compile(header, re.MULTILINE).search(text)
    after = start.end() if start else 0
    for name, value in table.items():
        extras: frozenset[str] = frozenset()
        if isinstance(value, dict):
            extras = frozenset(normalize(str(extra)) for extra in value.get("extras", []) or [])
            value = value.get("version", "")
        if isinstance(value, str):
            line = _line_of(text, r"^\s*[\"']?" + re.escape(name) + r"[\"']?\s*=", after)
            yield Declaration(name, extras, _poetry_spec(value), path, line)
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


def _setup_cfg(project: Project, path: Path) -> Iterator[Declaration]:
    text = project.text(path)
    if not text:
        return
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return
    start = re.compile(r"^install_requires\s*=", re.MULTILINE).search(text)
    for requirement in parser.get("options", "install_requires", fallback="").splitlines():
        if requirement.strip():
            line = _line_of(text, r"^\s*" + re.escape(requirement.strip()), start.start() if start else 0)
            yield from _requirement(requirement, path, line)


def _setup_py(project: Project, path: Path) -> Iterator[Declaration]:
    """String literals in ``install_requires=[...]`` of a ``setup(...)`` call."""
    text = project.text(path)
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
                    yield from _requirement(item.value, path, item.lineno)
