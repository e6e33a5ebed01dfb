"""What every check of one root may read besides the `Project`: which files are the
application, which of them build an app or serve routes, the transforms' options,
and how to turn an ``ast`` node into `Evidence`."""

from __future__ import annotations

import ast
import os
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi_codemods.analysis import code_roles, dependencies
from fastapi_codemods.analysis.excerpts import excerpt_of, shorten  # noqa: F401 - the checks' import
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.records import Evidence
from fastapi_codemods.engine.fileinfo import FileInfo


@dataclass
class AuditFacts:
    """``root`` is the root's display path (what ``run`` would be given); ``options``
    the transforms' option tables as ``run`` would use them."""

    project: Project
    root: str
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    jobs: int = 1
    """Worker processes for a pass a check runs only when it needs it (`ensure`)."""

    def ensure(self, file_pass: Any, options: Mapping[str, Any]) -> None:
        """Run ``file_pass`` on every file now (in ``jobs`` workers) unless it ran:
        for the project-wide facts a check needs only when it found something."""
        if not self.project.has_run(file_pass):
            self.project.compute_all([(file_pass, options)], self.jobs)

    @cached_property
    def not_application(self) -> dict[str, str]:
        """Test code, test helpers and documentation snippets (`code_roles`): never evidence."""
        return code_roles.not_application(self.project)

    @cached_property
    def declarations(self) -> list[dependencies.Declaration]:
        """The root's runtime dependency declarations, read once for every check."""
        return list(dependencies.runtime_declarations(self.project))

    @cached_property
    def roles(self) -> dict[str, code_roles.ModuleRole]:
        return {
            info.relpath: role
            for _path, info, role in self.project.results(code_roles.MODULE_ROLES, {})
            if info.relpath not in self.not_application
        }

    @property
    def builds_app(self) -> bool:
        """Some application module calls ``FastAPI(...)``."""
        return any(role.builds_app for role in self.roles.values())

    @property
    def web_app(self) -> bool:
        """Some application module builds an app or router or declares routes."""
        return any(role.web_app for role in self.roles.values())

    def is_application(self, info: FileInfo) -> bool:
        return info.relpath not in self.not_application

    def application_results(self, file_pass: Any, options: Mapping[str, Any] | None = None
                            ) -> Iterator[tuple[Path, FileInfo, Any]]:
        """A pass's results on the application's files only."""
        for path, info, result in self.project.results(file_pass, options or {}):
            if self.is_application(info):
                yield path, info, result

    def display_path(self, path: Path) -> str:
        """How to name a file that is not one of the root's Python files (a packaging
        or deployment file, maybe in a parent folder): from the root's display path."""
        folder, shown = self.project.root.resolve(), self.root
        if not folder.is_dir():  # a single file given as the root
            folder, shown = folder.parent, os.path.dirname(shown)
        relative = os.path.relpath(path.resolve(), folder)
        return Path(os.path.normpath(os.path.join(shown, relative))).as_posix()

    def file_evidence(self, path: Path, line: int, message: str) -> Evidence:
        """Evidence at line ``line`` (1-based; 0 for the whole file) of a file read with `Project.text`."""
        return Evidence(self.display_path(path), line, 1 if line else 0,
                        excerpt_of(self.project.text(path) or "", line), message)

    def application_sources(self, relpaths: Container[str]) -> Iterator[tuple[FileInfo, ast.Module, str]]:
        """The tree and text of each application file in ``relpaths`` that parses."""
        for path, info in self.project.files:
            if info.relpath not in relpaths or not self.is_application(info):
                continue
            tree, text = self.project.tree(path), self.project.text(path)
            if tree is not None and text is not None:
                yield info, tree, text


def evidence_at(info: FileInfo, text: str, node: ast.AST, message: str) -> Evidence:
    line = getattr(node, "lineno", 0)
    return Evidence(info.path, line, getattr(node, "col_offset", 0) + 1, excerpt_of(text, line), message)
