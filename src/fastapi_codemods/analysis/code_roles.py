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

from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.programs import own_imports, web_app_kind
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
    kind = web_app_kind(tree, info.package)
    return ModuleRole(own_imports(info, tree, text, options), kind is not None, kind == "app")


# No needle: every file is parsed, so a file that does not parse is known (and named
# as a warning) even when no transform would look at it.
MODULE_ROLES = FilePass("code_roles.modules", (), module_role)
FILE_PASSES = (MODULE_ROLES,)


def not_application(project: Any) -> dict[str, str]:
    """Root-relative path -> why the file is not application code (see the module)."""
    roles = {info.relpath: (info, role) for _path, info, role in project.results(MODULE_ROLES, {})}
    found: dict[str, str] = {}
    examples: list[str] = []
    for relpath, (info, _role) in roles.items():
        folders = PurePosixPath(relpath).parts[:-1]
        if info.is_test_file:
            found[relpath] = TEST_CODE
        elif DOCS_FOLDERS.intersection(folders):
            found[relpath] = DOCUMENTATION
        elif EXAMPLE_FOLDERS.intersection(folders):
            examples.append(relpath)
    application = set(roles) - set(found) - set(examples)
    if not any(roles[relpath][1].builds_app for relpath in application):  # a library's repository
        found.update(dict.fromkeys(examples, DOCUMENTATION))
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
