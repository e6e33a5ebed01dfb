"""Which files of a root are not the application: tests, their helpers, documentation.

A transform that changes runtime behaviour (hidden docs, a moved side effect, a
returned object) is right for the application and wrong for a test that builds its
own app to check exactly that behaviour: rewriting it turns a green suite red. So
by default no transform rewrites these files (``include-tests = true``, globally or
per transform, turns that off):

- test code: pytest's naming rules and ``tests``/``test`` folders (`FileInfo.is_test_file`);
- test helpers: modules that test code imports and nothing else does, and that build
  no app or router and declare no route (an entry module such as ``main.py`` is
  imported only by tests too, but it is the application);
- documentation snippets: ``docs``/``docs_src`` folders, and ``examples``/``example``
  folders in a library's repository, i.e. when no module outside those folders and
  the tests builds a ``FastAPI()`` app. In an application's repository examples are
  part of the app; naming the examples folder itself as the path makes it the root,
  whose files are the application.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.programs import is_web_app, own_imports
from fastapi_codemods.engine.fileinfo import FileInfo

TEST_CODE = "test file"
TEST_HELPER = "test helper"
DOCUMENTATION = "documentation snippet"
DOCS_FOLDERS = frozenset({"docs", "docs_src"})
EXAMPLE_FOLDERS = frozenset({"examples", "example"})


class ModuleRole(NamedTuple):
    """What one file's ``ast`` says about its place in the project."""

    imports: frozenset[str]
    web_app: bool
    builds_app: bool


def module_role(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ModuleRole:
    imports = ImportMap(tree, info.package)
    builds_app = any(imports.qualified(call.func) in APP_CLASSES for call in nodes_of(tree, ast.Call))
    return ModuleRole(own_imports(info, tree, text, options), builds_app or is_web_app(tree, info.package), builds_app)


# No needle: every file is parsed, so a file that does not parse is known (and named
# as a warning) even when no transform would look at it.
MODULE_ROLES = FilePass("code_roles.modules", (), module_role)
FILE_PASSES = (MODULE_ROLES,)


def not_application(project: Any) -> dict[str, str]:
    """Root-relative path -> why the file is not application code (see the module)."""
    roles = {info.relpath: (info, role) for _path, info, role in project.results(MODULE_ROLES, {})}
    found: dict[str, str] = {}
    for relpath, (info, _role) in roles.items():
        folders = PurePosixPath(relpath).parts[:-1]
        if info.is_test_file:
            found[relpath] = TEST_CODE
        elif DOCS_FOLDERS.intersection(folders):
            found[relpath] = DOCUMENTATION
    library = not any(
        role.builds_app
        for relpath, (_info, role) in roles.items()
        if relpath not in found and not EXAMPLE_FOLDERS.intersection(PurePosixPath(relpath).parts[:-1])
    )
    if library:
        for relpath in roles:
            if relpath not in found and EXAMPLE_FOLDERS.intersection(PurePosixPath(relpath).parts[:-1]):
                found[relpath] = DOCUMENTATION
    found.update(_test_helpers(roles, found))
    return found


def parsed(project: Any) -> frozenset[str]:
    """Root-relative paths of the files the stdlib ``ast`` parsed: the others are
    named as a warning even when no transform would look at them."""
    return frozenset(info.relpath for _path, info, _role in project.results(MODULE_ROLES, {}))


def _test_helpers(roles: Mapping[str, tuple[FileInfo, ModuleRole]], found: Mapping[str, str]) -> dict[str, str]:
    imported_by_tests: set[str] = set()
    imported_elsewhere: set[str] = set()
    for relpath, (_info, role) in roles.items():
        (imported_by_tests if found.get(relpath) == TEST_CODE else imported_elsewhere).update(role.imports)
    return {
        relpath: TEST_HELPER
        for relpath, (info, role) in roles.items()
        if relpath not in found
        and info.module in imported_by_tests
        and info.module not in imported_elsewhere
        and not role.web_app
    }
