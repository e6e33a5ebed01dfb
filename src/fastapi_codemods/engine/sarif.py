"""SARIF 2.1.0 building blocks shared by `run`'s document (`output_formats`) and the
audit's (`audit.sarif`): the run's skeleton, locations relative to ``%SRCROOT%``,
tool execution notifications.

Paths are the display paths both commands print: relative to the git work tree (or
the working folder), which is what code scanning resolves against the checked-out
repository. A project-wide item (line 0) names its path with no region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi_codemods import DOCUMENTATION_URL

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def location(path: str, line: int = 0, column: int = 0, snippet: str = "") -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
    if line > 0:
        region: dict[str, Any] = {"startLine": line}
        if column > 0:
            region["startColumn"] = column
        if snippet:
            region["snippet"] = {"text": snippet}
        physical["region"] = region
    return {"physicalLocation": physical}


def notification(text: str, path: str) -> dict[str, Any]:
    """A problem of the run itself with one file (unreadable, not written)."""
    return {"level": "error", "message": {"text": text}, "locations": [location(path)]}


def document(version: str, rules: list[dict[str, Any]], results: list[dict[str, Any]],
             notifications: Sequence[dict[str, Any]], properties: dict[str, Any]) -> dict[str, Any]:
    """A SARIF log of one run; any notification makes the invocation unsuccessful."""
    invocation: dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = list(notifications)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "fastapi-codemods", "version": version,
                                "informationUri": DOCUMENTATION_URL, "rules": rules}},
            "invocations": [invocation],
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository (or working folder)."}}},
            "results": results,
            "properties": properties,
        }],
    }
