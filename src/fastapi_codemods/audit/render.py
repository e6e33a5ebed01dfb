"""The report as Markdown (for people, and GitHub), JSON (for tools) or SARIF (`sarif`), and the exit code.

JSON schema, version 1::

    {"version": 1, "tool_version": str, "project": str, "date": "YYYY-MM-DD",
     "score": int, "practices": [{"id": str, "number": int, "name": str,
     "verdict": "PASS" | "NEEDS ATTENTION" | "FAIL" | "NOT APPLICABLE",
     "severity": "critical" | "high" | "medium" | "low", "reason": str | null,
     "status": str, "evidence": [{"path": str, "line": int, "column": int,
     "excerpt": str, "message": str, "fix": str | null}], "fix": str | null,
     "fixes": int | null, "recommendation": str}]}

``reason`` says what was checked and found (also for a PASS); ``status`` is the
one-line summary the Markdown shows. An evidence item's ``fix`` names the transform
that fixes that very site; a practice's ``fixes`` counts them when its check knows
it site by site (null: the practice's ``fix`` command rewrites what it can prove
safe and reports the rest). ``errors`` lists the files that could not be read.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from fastapi_codemods.audit.records import (
    SEVERITIES,
    AuditReport,
    Evidence,
    PracticeResult,
    Verdict,
)
from fastapi_codemods.audit.sarif import to_sarif
from fastapi_codemods.audit.status import _plural, fix_split, size, status
from fastapi_codemods.engine.jsontext import json_text

JSON_VERSION = 1
SHOWN_EVIDENCE = 20  # per practice in Markdown; the JSON has all
MARKS = {
    Verdict.PASS: "✅ PASS",
    Verdict.NEEDS_ATTENTION: "⚠️ NEEDS ATTENTION",
    Verdict.FAIL: "❌ FAIL",
    Verdict.NOT_APPLICABLE: "➖ NOT APPLICABLE",
}


def fix_command(report: AuditReport, transform: str) -> str:
    paths = " ".join(shlex.quote(root) for root in report.roots) or "."
    return f"fastapi-codemods run --only {transform} {paths}"


def to_json(report: AuditReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "tool_version": report.tool_version,
        "project": report.project,
        "date": report.date,
        "roots": list(report.roots),
        "score": report.score,
        "errors": [{"path": path, "error": problem} for path, problem in report.errors],
        "practices": [
            {
                "id": result.practice.id,
                "number": result.practice.number,
                "name": result.practice.name,
                "verdict": result.verdict.value,
                "severity": result.practice.severity,
                "reason": result.reason,
                "status": status(result),
                "evidence": [
                    {"path": e.path, "line": e.line, "column": e.column, "excerpt": e.excerpt, "message": e.message,
                     "fix": e.fix}
                    for e in result.evidence
                ],
                "fix": result.practice.fix,
                "fixes": result.fixes,
                "recommendation": result.practice.recommendation,
            }
            for result in report.results
        ],
    }


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    if not text:
        return ""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _where(item: Evidence) -> str:
    return item.path if item.line == 0 else f"{item.path}:{item.line}"


def _anchor(result: PracticeResult) -> str:
    return f"practice-{result.practice.number}"


def to_markdown(report: AuditReport) -> str:
    lines = [
        "# FastAPI best-practices audit",
        "",
        f"- Project: {_code(report.project)}",
        f"- Date: {report.date}",
        f"- Tool: fastapi-codemods {report.tool_version}",
        "",
        f"**Score: {report.score}/15** (practices that pass)",
        "",
        "| # | Practice | Severity | Verdict | Evidence |",
        "|---:|---|---|---|---:|",
    ]
    for result in report.results:
        practice = result.practice
        lines.append(
            f"| {practice.number} | [{practice.name}](#{_anchor(result)}) | {practice.severity} "
            f"| {MARKS[result.verdict]} | {len(result.evidence)} |"
        )
    if report.errors:
        lines += ["", "## Files not read", "",
                  f"{_plural(len(report.errors), 'file')} could not be read; a verdict that may depend on them "
                  "says NEEDS ATTENTION:", ""]
        lines += [f"- `{path}`: {problem}" for path, problem in report.errors]
    lines += ["", "## Practices"]
    for result in report.results:
        practice = result.practice
        lines += [
            "",
            f'<a id="{_anchor(result)}"></a>',
            "",
            f"### {practice.number}. {practice.name}: {result.verdict.value}",
            "",
            f"Severity: {practice.severity}. **Status:** {status(result)}.",
        ]
        if result.reason and result.evidence:
            lines += ["", f"{result.reason[0].upper()}{result.reason[1:]}."]
        if result.evidence:
            lines.append("")
            for item in result.evidence[:SHOWN_EVIDENCE]:
                excerpt = f" {_code(item.excerpt)}" if item.excerpt else ""
                lines.append(f"- `{_where(item)}`{excerpt}: {item.message}")
            hidden = len(result.evidence) - SHOWN_EVIDENCE
            if hidden > 0:
                lines.append(f"- ... and {hidden} more (see `--format json`)")
        if result.verdict is not Verdict.PASS and result.verdict is not Verdict.NOT_APPLICABLE:
            lines += ["", f"**Recommendation:** {practice.recommendation}"]
            split = fix_split(result)
            if practice.fix and (split is None or split[0]):
                what = (f"fixes {split[0]} of {len(result.evidence)}" + (
                    f"; the other {split[1]} need a person (their evidence says why)" if split[1] else "")
                    if split else "rewrites what it can prove safe and reports each site it refuses")
                lines += ["", f"Fix ({what}):", "", "```sh", fix_command(report, practice.fix), "```"]
            elif practice.fix:
                lines += ["", f"No fix by `{practice.fix}`: it would refuse every site here (their evidence says why)."]
    lines += ["", "## Action plan", ""]
    pending = [r for r in report.results if r.verdict in (Verdict.FAIL, Verdict.NEEDS_ATTENTION)]
    pending.sort(key=lambda r: (r.practice.rank, r.verdict is not Verdict.FAIL, r.practice.number))
    if not pending:
        lines.append("Nothing to do: every practice passes or does not apply.")
        return "\n".join(lines) + "\n"
    commands, people = [], []
    for result in pending:
        practice = result.practice
        split = fix_split(result)
        heading = f"**{practice.name}** (practice {practice.number}, {practice.severity}, {result.verdict.value})"
        if practice.fix and result.evidence and (split is None or split[0]):
            what = f"{split[0]} of {len(result.evidence)} sites" if split else size(result)
            commands.append(f"{heading}: run {_code(fix_command(report, practice.fix))} ({what})")
        remaining = split[1] if split else (0 if practice.fix and result.evidence else len(result.evidence))
        if remaining or not result.evidence:
            detail = result.reason if not result.evidence and result.reason else _plural(remaining, "finding")
            people.append(f"{heading}: {detail}")
    if commands:
        lines += ["What a command fixes (review the diff with `--diff` first):", ""]
        lines += [f"{index}. {step}" for index, step in enumerate(commands, 1)]
    if people:
        lines += ["", "What needs a person:", ""] if commands else ["What needs a person:", ""]
        lines += [f"{index}. {step}" for index, step in enumerate(people, 1)]
    return "\n".join(lines) + "\n"


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return json_text(to_json(report))
    if fmt == "sarif":
        return json_text(to_sarif(report, fix_command))
    return to_markdown(report)


def emit(report: AuditReport, fmt: str, output: str | None) -> None:
    """The report on stdout or into ``output``; the unreadable files on stderr.
    Raises OSError when ``output`` cannot be written."""
    for path, problem in report.errors:
        print(f"error: {path}: {problem}", file=sys.stderr)
    text = render(report, fmt)
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def exit_code(report: AuditReport, fail_on: str | None = None) -> int:
    """2 when a file could not be read; 1 when a practice of severity ``fail_on`` or
    higher (any severity by default) does not pass; else 0. NOT APPLICABLE passes."""
    if report.errors:
        return 2
    threshold = SEVERITIES.index(fail_on) if fail_on else len(SEVERITIES) - 1
    failing = [
        r for r in report.results
        if r.verdict in (Verdict.FAIL, Verdict.NEEDS_ATTENTION) and r.practice.rank <= threshold
    ]
    return 1 if failing else 0
