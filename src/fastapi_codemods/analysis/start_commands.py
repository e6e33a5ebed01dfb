"""How an app is started today: the server commands of its deployment files, and the edit that gives them workers.

Stdlib ``ast`` and text only, on the files `deployment.deployment_files` finds (the
root, its parents up to the git work tree, the folders of the app's modules), each
command read whole (`command_lines`: ``\\`` continuations, compose block lists). A
server command (``uvicorn module:app``, ``fastapi run``, ``hypercorn``, ``granian``,
``gunicorn module:app``) already runs several workers when it says so itself
(``--workers``, gunicorn's ``-w`` or a gunicorn config setting ``workers``), or its file
mentions ``--workers``, ``WEB_CONCURRENCY`` or ``UVICORN_WORKERS``, or a compose or env
file sets one of the variables (uvicorn and gunicorn read ``WEB_CONCURRENCY``), as the
audit's practice 15 judges it. A bare ``gunicorn`` runs one worker.

Otherwise the edit follows the documented default, ``WEB_CONCURRENCY`` (uvicorn's
``--workers`` and gunicorn's ``workers`` both default to it), so the host's setting
wins wherever the file allows it:

- where a shell runs the line (a ``Procfile``, a script, a Dockerfile's shell form, the
  string of ``sh -c``) or compose reads it (compose interpolates ``${...}`` in
  ``command:``): ``--workers ${WEB_CONCURRENCY:-N}`` right after the app (after ``run``
  for ``fastapi run``), a new pair of items in a compose block list;
- a Dockerfile's exec form ``CMD ["uvicorn", ...]`` (no shell to expand a variable):
  ``ENV WEB_CONCURRENCY=N`` just before the instruction for uvicorn, ``fastapi run``
  and gunicorn, which read it themselves; ``"--workers", "N"`` for hypercorn and
  granian, which do not.

N is the project's own choice when its files name exactly one worker count
(``--workers 2`` in another command, ``WEB_CONCURRENCY=2`` in an env file, ``workers =
2`` in a gunicorn config), else 4, FastAPI's "Server Workers" example; the summary
says to size it to the machine.

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
from fastapi_codemods.analysis.command_lines import CommandLine, command_lines, is_compose
from fastapi_codemods.analysis.deployment import (
    DEVELOPMENT_WORDS,
    GUNICORN_CONFIGS,
    SERVER_CALLS,
    SERVER_COMMAND,
    WORKERS_MENTION,
    code_lines,
    configures_workers,
    gunicorn_configs_set_workers,
    words,
)
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

WORKERS = "4"
END_OF_LINE = -1
PYTHON_COMMAND = re.compile(r"\bpython[\d.]*[\"',\s]+(?:-u[\"',\s]+)?(?:-m[\"',\s]+(?P<module>[\w.]+)|(?P<file>[\w./-]+\.py))")
# Servers that read WEB_CONCURRENCY themselves when no --workers is given.
READS_WEB_CONCURRENCY = frozenset({"uvicorn", "fastapi", "gunicorn"})
_COUNTS = re.compile(
    r"(?:--workers[=\s\"',]+|(?:^|[\s\"',])-w\s*[\"',]*\s*|\bWEB_CONCURRENCY\s*[=:]\s*[\"']?"
    r"|\bUVICORN_WORKERS\s*[=:]\s*[\"']?|^\s*workers\s*=\s*)(?P<count>\d+)\b",
    re.MULTILINE,
)


@dataclass(frozen=True)
class StartCommand:
    """A server command in a deployment file: ``path``, 1-based first ``line`` and the
    command's text; the ``server`` it runs; whether it runs several workers already,
    reloads, or sits in a file whose name says development; the ``edits`` that add
    workers ((line, column, text) insertions) and how they read (``how``)."""

    path: Path
    line: int
    text: str
    server: str
    workers: bool
    reload: bool
    development: bool
    edits: tuple[tuple[int, int, str], ...]
    how: str

    @property
    def needs_workers(self) -> bool:
        return not (self.workers or self.development)


def _is_development(path: Path) -> bool:
    return bool(words(path.name) & DEVELOPMENT_WORDS)


def project_workers(project: Project, files: Iterable[Path]) -> str:
    """The worker count the project's files name, when they name exactly one above 1;
    else `WORKERS`."""
    counts = {int(match.group("count")) for path in files
              for match in _COUNTS.finditer("\n".join(line for _n, line in code_lines(project.text(path) or "")))}
    counts.discard(0)
    counts.discard(1)
    return str(counts.pop()) if len(counts) == 1 else WORKERS


def start_commands(project: Project, files: Iterable[Path]) -> list[StartCommand]:
    """Every server command of ``files`` (gunicorn configs aside), in file order."""
    files = list(files)
    count = project_workers(project, files)
    config_workers = gunicorn_configs_set_workers(project, files)
    files = [path for path in files if path.name not in GUNICORN_CONFIGS]
    commands = {path: list(command_lines(path, project.text(path) or "")) for path in files}
    environment = any(("compose" in path.name or path.name.startswith(".env")) and WORKERS_MENTION.search(item.text)
                      for path in files for item in commands[path])
    found = []
    for path in files:
        in_file = any(configures_workers(item.text, config_workers) for item in commands[path])
        for item in commands[path]:
            match = SERVER_COMMAND.search(item.text)
            if match is None:
                continue
            server = match.group("server") or match.group("fastapi")
            edits, how = _edits(path, item, match, server, count)
            found.append(StartCommand(path, item.line, item.text, server, in_file or environment,
                                      "--reload" in item.text, _is_development(path), edits, how))
    return found


def _edits(path: Path, item: CommandLine, match: re.Match[str], server: str, count: str
           ) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """The insertions that give the command workers, and how they read (see the module)."""
    text, start, end = item.text, match.start(), match.end()
    variable = "${WEB_CONCURRENCY:-" + count + "}"
    quote = text[end:end + 1]
    array = quote in ("'", '"') and "[" in text[:start] and quote in text[start:end]
    dockerfile = "dockerfile" in path.name.lower()
    if item.item_prefix:  # a compose block list: two more items after the app's
        line, _column = item.origin[end - 1]
        inserted = f"\n{item.item_prefix}--workers\n{item.item_prefix}\"{variable}\""
        return ((line, END_OF_LINE, inserted),), f"--workers {variable}"
    if array and dockerfile and server in READS_WEB_CONCURRENCY:
        shown = "fastapi run" if server == "fastapi" else server
        return ((item.line, 0, f"ENV WEB_CONCURRENCY={count}\n"),), (
            f"ENV WEB_CONCURRENCY={count} before it, which {shown} reads; the host's own setting wins")
    if array:
        value = variable if is_compose(path) else count
        line, column = item.after(end + 1)
        return ((line, column, f", {quote}--workers{quote}, {quote}{value}{quote}"),), f"--workers {value}"
    shell = path.name == "Procfile" or path.suffix == ".sh" or dockerfile or is_compose(path)
    value = variable if shell else count
    line, column = item.after(end)
    return ((line, column, f" --workers {value}"),), f"--workers {value}"


def with_workers(text: str, commands: Iterable[StartCommand]) -> str:
    """``text`` with the insertions of ``commands`` (all of one file) made; a new line
    takes the file's line ending."""
    lines = text.splitlines(keepends=True)
    ending = "\r\n" if "\r\n" in text else "\n"
    edits = sorted((edit for command in commands for edit in command.edits), reverse=True)
    for line, column, inserted in edits:
        current = lines[line - 1]
        if column == END_OF_LINE:
            column = len(current.rstrip("\r\n"))
        lines[line - 1] = current[:column] + inserted.replace("\n", ending) + current[column:]
    return "".join(lines)


@dataclass(frozen=True)
class PythonStart:
    """``python X`` in a deployment file (``path``:``line``) whose module (``relpath``,
    read from ``module_path``) starts a server at ``call_line`` without ``workers=``;
    ``started_as`` is the module's name in that process as an import string names it
    (``main`` for ``python main.py``, ``app.main`` for ``python -m app.main``)."""

    path: Path
    line: int
    relpath: str
    call_line: int
    module_path: Path
    info: FileInfo
    started_as: str

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


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
                    module = match.group("module")
                    started_as = (f"{module}.__main__" if target[1].relpath.endswith("__main__.py")
                                  and not module.endswith("__main__") else module) if module else target[0].stem
                    found.append(PythonStart(path, number, target[1].relpath, call, target[0], target[1], started_as))
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
