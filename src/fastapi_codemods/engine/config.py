"""Reading ``[tool.fastapi-codemods]`` from the target project's ``pyproject.toml``.

The nearest ``pyproject.toml`` at or above each root wins. Command-line flags win
over it. Unknown keys are errors: a misspelt option silently ignored is worse than
a failed run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi_codemods import codemods
from fastapi_codemods.engine.discovery import pattern_problem
from fastapi_codemods.engine.sources import read_regular

TABLE = "fastapi-codemods"
GENERAL_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "only": list,
    "skip": list,
    "exclude": list,
    "format": bool,
    "include_tests": bool,
}
# Accepted in every transform's table too: that transform alone then rewrites test
# code and documentation snippets (see `fastapi_codemods.analysis.code_roles`).
TRANSFORM_KEYS: Mapping[str, Any] = {"include_tests": False}


class ConfigError(ValueError):
    """A configuration problem; its message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Settings for one root, after merging pyproject and command line."""

    source: Path | None = None
    only: list[str] | None = None
    skip: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    format: bool = False
    include_tests: bool = False
    transform_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    black: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> Path | None:
        """The folder ``exclude`` patterns are relative to (the pyproject's)."""
        return self.source.parent if self.source is not None else None


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_config(root: Path) -> Config:
    """Read the configuration that applies to ``root`` (defaults if none)."""
    pyproject = find_pyproject(root.resolve())
    if pyproject is None:
        return Config()
    try:
        data = _toml_parser().loads(read_regular(pyproject).decode("utf-8"))
    except (OSError, UnicodeDecodeError, _toml_parser().TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read: {error}") from error
    tool = data.get("tool", {})
    table = tool.get(TABLE, {})
    black = tool.get("black")
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.{TABLE}] must be a table")
    return parse_table(table, pyproject, black if isinstance(black, dict) else None)


def parse_table(table: Mapping[str, Any], source: Path, black: dict[str, Any] | None = None) -> Config:
    """Validate the ``[tool.fastapi-codemods]`` table and build a `Config`."""
    general: dict[str, Any] = {}
    options: dict[str, dict[str, Any]] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key in GENERAL_KEYS:
            general[key] = _checked(source, raw_key, value, GENERAL_KEYS[key])
        elif key in codemods.ORDER:
            options[key] = _transform_options(source, key, value)
        else:
            valid = sorted([*GENERAL_KEYS, *codemods.ORDER])
            raise ConfigError(
                f"{source}: unknown key {raw_key!r} in [tool.{TABLE}]; valid keys: {', '.join(valid)}"
            )
    problem = pattern_problem(general.get("exclude", []))
    if problem is not None:
        raise ConfigError(f"{source}: invalid exclude pattern {problem}")
    return Config(
        source=source,
        only=general.get("only"),
        skip=general.get("skip"),
        exclude=general.get("exclude", []),
        format=general.get("format", black is not None),
        include_tests=general.get("include_tests", False),
        transform_options=options,
        black=black or {},
    )


def _transform_options(source: Path, name: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.{TABLE}.{name}] must be a table")
    defaults = {**codemods.options_of(name), **TRANSFORM_KEYS}
    options: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key not in defaults:
            valid = ", ".join(sorted(defaults)) or "none"
            raise ConfigError(
                f"{source}: unknown key {raw_key!r} in [tool.{TABLE}.{name}]; valid keys: {valid}"
            )
        default = defaults[key]
        expected: type | tuple[type, ...] = (
            type(default) if default is not None else (str, bool, int, list, dict)
        )
        options[key] = _checked(source, f"{name}.{raw_key}", value, expected)
    return options


def _checked(source: Path, key: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    if expected is list and isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, bool) and expected is int:
        raise ConfigError(f"{source}: {key} must be an integer, not {value!r}")
    if not isinstance(value, expected):
        names = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
        raise ConfigError(f"{source}: {key} must be of type {names}, not {type(value).__name__}")
    return value


def _toml_parser() -> Any:
    """tomllib, imported only where a ``pyproject.toml`` is read."""
    from fastapi_codemods.engine.tomlreader import tomllib

    return tomllib
