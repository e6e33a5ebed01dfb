"""The report as SARIF 2.1.0, the format GitHub code scanning and most CI dashboards read.

One rule per practice (its recommendation as help, a link to the practice's section
of the README), one result per piece of evidence. Practices without evidence (PASS,
NOT APPLICABLE, a NEEDS ATTENTION with only a reason) produce no result; every
verdict and the score are in the run's ``properties``, so nothing of the Markdown
report is lost. Paths are relative to ``%SRCROOT%``: the display paths ``run``
prints, relative to the git work tree (or the working folder), which is what code
scanning resolves against the checked-out repository. A project-wide item (line 0)
names its path with no region. Files that could not be read are tool execution
notifications, and make the invocation unsuccessful.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi_codemods import DOCUMENTATION_URL
from fastapi_codemods.audit.records import AuditReport, Evidence, PracticeResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def help_uri(number: int) -> str:
    return f"{DOCUMENTATION_URL}#audit-practice-{number}"


FixCommand = Callable[[AuditReport, str], str]


def to_sarif(report: AuditReport, fix_command: FixCommand) -> dict[str, Any]:
    """``fix_command(report, transform)`` words the command shown in a rule's help."""
    rules = [_rule(result, report, fix_command) for result in report.results]
    results = [
        _result(result, index, item)
        for index, result in enumerate(report.results)
        for item in result.evidence
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-codemods",
                        "version": report.tool_version,
                        "informationUri": DOCUMENTATION_URL,
                        "rules": rules,
                    }
                },
                "invocations": [_invocation(report)],
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository (or working folder)."}}},
                "results": results,
                "properties": {
                    "project": report.project,
                    "date": report.date,
                    "score": report.score,
                    "verdicts": {result.practice.id: result.verdict.value for result in report.results},
                },
            }
        ],
    }


def _rule(result: PracticeResult, report: AuditReport, fix_command: FixCommand) -> dict[str, Any]:
    practice = result.practice
    fix = f"\n\nFix: `{fix_command(report, practice.fix)}`" if practice.fix else ""
    return {
        "id": practice.id,
        "name": "".join(part.capitalize() for part in practice.id.split("-")),
        "shortDescription": {"text": f"Practice {practice.number}: {practice.name}"},
        "fullDescription": {"text": practice.recommendation.replace("`", "")},
        "help": {"text": practice.recommendation.replace("`", "") + fix.replace("`", ""),
                 "markdown": practice.recommendation + fix},
        "helpUri": help_uri(practice.number),
        "defaultConfiguration": {"level": LEVELS[practice.severity]},
        "properties": {"severity": practice.severity, "verdict": result.verdict.value,
                       "tags": ["fastapi", "best-practices"]},
    }


def _result(result: PracticeResult, rule_index: int, item: Evidence) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": item.path, "uriBaseId": "%SRCROOT%"}}
    if item.line > 0:
        region: dict[str, Any] = {"startLine": item.line}
        if item.column > 0:
            region["startColumn"] = item.column
        if item.excerpt:
            region["snippet"] = {"text": item.excerpt}
        location["region"] = region
    return {
        "ruleId": result.practice.id,
        "ruleIndex": rule_index,
        "level": LEVELS[result.practice.severity],
        "message": {"text": item.message},
        "locations": [{"physicalLocation": location}],
    }


def _invocation(report: AuditReport) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": problem},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}}],
            }
            for path, problem in report.errors
        ]
    return invocation
