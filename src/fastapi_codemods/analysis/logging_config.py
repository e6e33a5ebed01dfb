"""Is logging configured anywhere in a root? (stdlib ``ast``, for ``setup_logging``)

Resolved through imports, aliases included. Over-approximate on purpose: a false
"configured" only means the transform does nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.fileinfo import FileInfo

# Calls that configure logging, by qualified name.
CONFIG_CALLS = frozenset(
    {
        "logging.basicConfig",
        "logging.config.dictConfig",
        "logging.config.fileConfig",
        "structlog.configure",
        "structlog.configure_once",
        "loguru.logger.add",
        "loguru.logger.configure",
        "coloredlogs.install",
    }
)
UVICORN_RUNNERS = frozenset({"uvicorn.run", "uvicorn.Config", "uvicorn.config.Config", "uvicorn.main.run"})
CONFIG_NEEDLES = (
    "basicConfig",
    "dictConfig",
    "fileConfig",
    "configure",
    "addHandler",
    "handlers",
    "log_config",
    "loguru",
    "coloredlogs",
    "logconfig",
)
NOT_APP_FOLDERS = frozenset({"examples", "example", "docs", "docs_src"})


def configures_logging(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    """The module sets up logging handlers for the app's process.

    Test files and Alembic migration environments (their ``fileConfig`` runs only in
    the ``alembic`` command) do not count: they configure other processes.
    """
    if info.is_test_file or NOT_APP_FOLDERS.intersection(PurePosixPath(info.relpath).parts[:-1]):
        return False
    imports = ImportMap(tree, info.package, nested=True)
    if "alembic.context" in imports.names.values():
        return False
    return _configures_logging(tree, imports, PurePosixPath(info.relpath).name)


CONFIGURES_LOGGING = FilePass("setup_logging.configured", CONFIG_NEEDLES, configures_logging)


def logging_configured(project: Project) -> bool:
    """True when some module of the root sets up logging handlers."""
    return any(found for _, _, found in project.results(CONFIGURES_LOGGING, {}))


def _configures_logging(tree: ast.Module, imports: ImportMap, filename: str) -> bool:
    loggers = {
        target.id
        for node in nodes_of(tree, ast.Assign)
        if _is_get_logger(node.value, imports)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in nodes_of(tree, ast.Call, ast.Assign, ast.AugAssign):
        if isinstance(node, ast.Call):
            name = imports.qualified(node.func)
            if name in CONFIG_CALLS:
                return True
            if name in UVICORN_RUNNERS and any(
                k.arg == "log_config" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
                for k in node.keywords
            ):
                return True
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "addHandler"
                and not _null_handler(node)
            ):
                return True
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Attribute)
                and t.attr == "handlers"
                and (
                    _is_get_logger(t.value, imports)
                    or imports.qualified(t.value) == "logging.root"
                    or isinstance(t.value, ast.Name)
                    and t.value.id in loggers
                )
                for t in targets
            ):
                return True
    # gunicorn reads logging settings from its Python configuration file.
    if filename.startswith("gunicorn"):
        return any(
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id in ("logconfig", "logconfig_dict", "logconfig_json")
                for t in node.targets
            )
            for node in tree.body
        )
    return False


def _is_get_logger(node: ast.AST, imports: ImportMap) -> bool:
    return isinstance(node, ast.Call) and imports.qualified(node.func) == "logging.getLogger"


def _null_handler(call: ast.Call) -> bool:
    """``addHandler(logging.NullHandler())``: a library's silencer, not a configuration."""
    return any(
        isinstance(arg, ast.Call)
        and (
            isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "NullHandler"
            or isinstance(arg.func, ast.Name)
            and arg.func.id == "NullHandler"
        )
        for arg in call.args
    )
