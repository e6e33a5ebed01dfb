"""``run`` command lines parsed before, so that running one again skips click.

A run answered from the cache (`engine.cache`) is mostly interpreter start-up and
imports, and importing click was a fifth of it. What click makes of a command line
depends on nothing but the words of the line and the tool (no option reads the
environment), so after click has parsed a ``run`` line, the options it gave are
remembered under the line, the working folder and the tool's fingerprint, and the
same line in the same folder gets them back without click. Nothing else is
remembered: the run itself (configuration, discovery, the cache) is done again.

Entries are plain JSON in the user's cache folder (``$XDG_CACHE_HOME``, else
``~/.cache``, then ``fastapi-codemods/commands/``), never in a checked tree, and are
validated field by field: anything else is a miss, and click parses the line.
Interactive runs and ``--no-cache`` runs are not remembered, nor is anything while
``FASTAPI_CODEMODS_NO_CACHE`` is set. At most `MAX_ENTRIES` are kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi_codemods.commands import Output
from fastapi_codemods.engine import cache
from fastapi_codemods.engine.options import Mode, RunOptions

MAX_ENTRIES = 256
_LAYOUT = 1


def folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fastapi-codemods", "commands")


def _entry(argv: list[str]) -> str:
    key = cache.digest(cache.tool_fingerprint().encode(), os.getcwd().encode("utf-8", "surrogatepass"),
                       json.dumps(argv).encode("ascii"))
    return os.path.join(folder(), key + ".json")


def recall(argv: list[str]) -> tuple[RunOptions, Output] | None:
    """The options a ``run`` line was parsed into before, or None."""
    if not argv or argv[0] != "run" or cache.disabled_by_environment():
        return None
    try:
        path = _entry(argv)
        with open(path, "rb") as stream:
            data = json.loads(stream.read())
        return _decode(data, argv)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def remember(argv: list[str], options: RunOptions, output: Output) -> None:
    """Note what click made of ``argv`` (never an error: a cache that cannot be
    written is no cache)."""
    if options.mode is Mode.REVIEW or not options.cache or cache.disabled_by_environment():
        return
    try:
        path = _entry(argv)
        data = json.dumps(_encode(argv, options, output)).encode("utf-8", "surrogatepass")
        cache.write_atomically(Path(path), data)
        _prune(os.path.dirname(path))
    except (OSError, ValueError):
        return


def _encode(argv: list[str], options: RunOptions, output: Output) -> dict[str, Any]:
    return {
        "layout": _LAYOUT,
        "argv": argv,
        "cwd": os.getcwd(),
        "paths": [os.fspath(path) for path in options.paths],
        "mode": options.mode.value,
        "only": options.only,
        "skip": options.skip,
        "excludes": options.excludes,
        "jobs": options.jobs,
        "allow_dirty": options.allow_dirty,
        "format": options.format,
        "allow_readonly": options.allow_readonly,
        "color": output.color,
        "output_format": output.output_format,
        "statistics": output.statistics,
        "report_path": output.report_path,
        "progress": output.progress,
    }


def _decode(data: Any, argv: list[str]) -> tuple[RunOptions, Output] | None:
    if not isinstance(data, dict) or data.get("layout") != _LAYOUT:
        return None
    if data["argv"] != argv or data["cwd"] != os.getcwd():
        return None
    options = RunOptions(
        paths=[Path(path) for path in _strings(data["paths"])],
        mode=Mode(data["mode"]),
        only=_optional_strings(data["only"]),
        skip=_optional_strings(data["skip"]),
        excludes=list(_strings(data["excludes"])),
        jobs=_optional(data["jobs"], int),
        allow_dirty=_expect(data["allow_dirty"], bool),
        format=_optional(data["format"], bool),
        cache=True,
        allow_readonly=_expect(data["allow_readonly"], bool),
    )
    output = Output(
        color=_optional(data["color"], bool),
        output_format=_expect(data["output_format"], str),
        statistics=_expect(data["statistics"], bool),
        report_path=_optional(data["report_path"], str),
        progress=_expect(data["progress"], bool),
    )
    if options.mode is Mode.REVIEW or (options.jobs is not None and options.jobs < 1):
        return None
    return options, output


def _expect(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise TypeError(f"expected {kind.__name__}")
    return value


def _optional(value: Any, kind: type) -> Any:
    return None if value is None else _expect(value, kind)


def _strings(value: Any) -> list[str]:
    return [_expect(item, str) for item in _expect(value, list)]


def _optional_strings(value: Any) -> list[str] | None:
    return None if value is None else _strings(value)


def _prune(where: str) -> None:
    """Keep the `MAX_ENTRIES` most recently written entries."""
    try:
        with os.scandir(where) as scanned:
            entries = [entry for entry in scanned if entry.name.endswith(".json")]
    except OSError:
        return
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=cache.mtime_of, reverse=True)
    for stale in entries[MAX_ENTRIES:]:
        try:
            os.unlink(stale.path)
        except OSError:
            pass
