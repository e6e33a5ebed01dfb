"""How an app is started today: the server commands of its deployment files, and the edit that gives them workers.

Stdlib ``ast`` and text only, on the files `deployment.deployment_files` finds (the
root, its parents up to the git work tree, the folders of the app's modules). A
server command (``uvicorn module:app``, ``fastapi run``, ``hypercorn``, ``granian``)
already runs several workers when its file mentions ``gunicorn``, ``--workers``,
``WEB_CONCURRENCY`` or ``UVICORN_WORKERS``, or a compose or env file sets one of the
variables (uvicorn reads ``WEB_CONCURRENCY``), as the audit's practice 15 judges it.
Otherwise the edit inserts ``--workers`` right after the app (``uvicorn app.main:app
--workers ...``; after ``run`` for ``fastapi run``): ``${WEB_CONCURRENCY:-4}`` where
a shell runs the line (a ``Procfile``, a script, a Dockerfile's shell form), so the
host's setting still wins, and the literal ``4`` where none does (a Dockerfile's
exec form ``["uvicorn", ...]``, a compose ``command:``). 4 is FastAPI's "Server
Workers" example; the summary says to size it to the machine.

A ``python main.py`` / ``python -m app`` command whose module calls ``uvicorn.run``
starts the app too (`python_starts`); its workers are an argument of that call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.deployment import (
    DEVELOPMENT_WORDS,
    GUNICORN_CONFIGS,
    SERVER_CALLS,
    SERVER_COMMAND,
    WORKERS_MENTION,
    code_lines,
    words,
)
from fastapi_codemods.analysis.project import Project

WORKERS = "4"
SHELL_WORKERS = "${WEB_CONCURRENCY:-4}"
PYTHON_COMMAND = re.compile(r"\bpython[\d.]*[\"',\s]+(?:-u[\"',\s]+)?(?:-m[\"',\s]+(?P<module>[\w.]+)|(?P<file>[\w./-]+\.py))")


@dataclass(frozen=True)
class StartCommand:
    """A server command in a deployment file: ``path``, 1-based ``line`` and the
    line's text; whether it runs several workers already, reloads, or sits in a file
    whose name says development; and the edit that adds workers (offset in the line,
    text to insert)."""

    path: Path
    line: int
    text: str
    workers: bool
    reload: bool
    development: bool
    insert: tuple[int, str]

    @property
    def needs_workers(self) -> bool:
        return not (self.workers or self.development)


def _is_development(path: Path) -> bool:
    return bool(words(path.name) & DEVELOPMENT_WORDS)


def start_commands(project: Project, files: Iterable[Path]) -> list[StartCommand]:
    """Every server command of ``files`` (gunicorn configs aside), in file order."""
    files = [path for path in files if path.name not in GUNICORN_CONFIGS]
    texts = {path: list(code_lines(project.text(path) or "")) for path in files}
    environment = any(("compose" in path.name or path.name.startswith(".env")) and "gunicorn" not in line
                      and WORKERS_MENTION.search(line) for path in files for _number, line in texts[path])
    found = []
    for path in files:
        in_file = any(WORKERS_MENTION.search(line) for _number, line in texts[path])
        for number, line in texts[path]:
            match = SERVER_COMMAND.search(line)
            if match is None:
                continue
            found.append(StartCommand(path, number, line, in_file or environment, "--reload" in line,
                                      _is_development(path), _insertion(path, line, match.start(), match.end())))
    return found


def _insertion(path: Path, line: str, start: int, end: int) -> tuple[int, str]:
    """Where and what to insert: a new element pair when the command's own words are
    elements of an exec-form array (``["uvicorn", "app:app"]``); else words inside the
    line or the one string holding the command (``["sh", "-c", "uvicorn app:app"]``,
    where new elements would go to ``sh``, not to uvicorn)."""
    quote = line[end:end + 1]
    if quote in ("'", '"') and "[" in line[:start] and quote in line[start:end]:
        return end + 1, f', {quote}--workers{quote}, {quote}{WORKERS}{quote}'
    shell = path.name == "Procfile" or path.suffix == ".sh" or "dockerfile" in path.name.lower()
    return end, f" --workers {SHELL_WORKERS if shell else WORKERS}"


def with_workers(text: str, commands: Iterable[StartCommand]) -> str:
    """``text`` with ``--workers`` inserted into each of ``commands`` (all of one file)."""
    lines = text.splitlines(keepends=True)
    for command in commands:
        offset, inserted = command.insert
        line = lines[command.line - 1]
        lines[command.line - 1] = line[:offset] + inserted + line[offset:]
    return "".join(lines)


@dataclass(frozen=True)
class PythonStart:
    """``python X`` in a deployment file (``path``:``line``) whose module (``relpath``)
    starts a server at ``call_line`` without ``workers=``."""

    path: Path
    line: int
    relpath: str
    call_line: int


def python_starts(project: Project, files: Iterable[Path]) -> list[PythonStart]:
    modules = {info.module: (path, info) for path, info in project.files}
    found = []
    for path in files:
        if path.name in GUNICORN_CONFIGS or _is_development(path):
            continue
        for number, line in code_lines(project.text(path) or ""):
            for match in PYTHON_COMMAND.finditer(line):
                target = _module_file(project, modules, match.group("module"), match.group("file"))
                if target is None:
                    continue
                call = _server_call(project, *target)
                if call is not None:
                    found.append(PythonStart(path, number, target[1].relpath, call))
    return found


def _module_file(project: Project, modules: dict, module: str | None, file: str | None):
    if module is not None:
        for name in (f"{module}.__main__", module):
            matches = [value for key, value in modules.items() if key == name or key.endswith("." + name)]
            if len(matches) == 1:
                return matches[0]
        return None
    name = file.removeprefix("./")  # type: ignore[union-attr]
    matches = [(path, info) for path, info in project.files
               if info.relpath == name or info.relpath.endswith("/" + name)]
    return matches[0] if len(matches) == 1 else None


def _server_call(project: Project, path: Path, info) -> int | None:
    """The line of a ``uvicorn.run``/``uvicorn.Config`` without ``workers=`` in the module."""
    tree = project.tree(path)
    if tree is None:
        return None
    imports = ImportMap(tree, info.package, nested=True)
    for call in nodes_of(tree, ast.Call):
        if imports.qualified(call.func) in SERVER_CALLS and not any(k.arg in ("workers", None) for k in call.keywords):
            return call.lineno
    return None
