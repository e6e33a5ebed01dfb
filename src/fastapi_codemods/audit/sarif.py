"""The report as SARIF 2.1.0, the format GitHub code scanning and most CI dashboards read.

One rule per practice (its recommendation as help, a link to the practice's section
of the README), one result per piece of evidence. Practices without evidence (PASS,
NOT APPLICABLE, a NEEDS ATTENTION with only a reason) produce no result; every
verdict and the score are in the run's ``properties``, so nothing of the Markdown
report is lost. Locations (relative to ``%SRCROOT%``) and the document's skeleton
are `engine.sarif`'s, as in ``run``'s SARIF. Files that could not be read are tool
execution notifications, and make the invocation unsuccessful.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi_codemods import DOCUMENTATION_URL
from fastapi_codemods.audit.records import AuditReport, Evidence, PracticeResult
from fastapi_codemods.audit.status import status
from fastapi_codemods.engine import sarif

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
    notifications = [sarif.notification(problem, path) for path, problem in report.errors]
    properties = {
        "project": report.project,
        "date": report.date,
        "score": report.score,
        "verdicts": {result.practice.id: result.verdict.value for result in report.results},
        "statuses": {result.practice.id: status(result) for result in report.results},
    }
    return sarif.document(report.tool_version, rules, results, notifications, properties)


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
    found = {
        "ruleId": result.practice.id,
        "ruleIndex": rule_index,
        "level": LEVELS[result.practice.severity],
        "message": {"text": item.message},
        "locations": [sarif.location(item.path, item.line, item.column, item.excerpt)],
    }
    if item.fix:  # the transform that fixes this very site
        found["properties"] = {"fix": item.fix}
    return found
