"""Turning a run's outcome into what people and scripts read; the only code that prints.

- ``unified_diff``: byte-exact, ``git apply``-able (``diff --git`` headers, CRLF and
  BOM kept, ``\\ No newline at end of file``), files sorted.
- ``summary``: totals, then each finding as ``path:line: [transform] reason``.
- ``json_report``: the machine-readable record (schema in the README).
- ``exit_code``: 0 nothing to change or all written; 1 diff/check found changes;
  2 usage error or any file failed (2 wins).
"""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import click

from fastapi_codemods import __version__
from fastapi_codemods.driver import Mode, RunOutcome
from fastapi_codemods.results import FileResult, Status

REPORT_VERSION = 1
NO_NEWLINE = b"\\ No newline at end of file\n"


def file_diff(result: FileResult) -> bytes:
    """The git-style unified diff of one changed file, as exact bytes."""
    assert result.new is not None
    path = result.path.encode("utf-8", "surrogateescape")
    old_lines = result.old.splitlines(keepends=True)
    new_lines = result.new.splitlines(keepends=True)
    header = [b"diff --git a/" + path + b" b/" + path + b"\n"]
    if result.created:
        header.append(b"new file mode 100644\n")
    body = list(
        difflib.diff_bytes(
            difflib.unified_diff,
            old_lines,
            new_lines,
            fromfile=b"/dev/null" if result.created else b"a/" + path,
            tofile=b"b/" + path,
            lineterm=b"\n",
        )
    )
    out = header
    for line in body:
        out.append(line)
        if not line.endswith(b"\n"):
            out.append(b"\n" + NO_NEWLINE)
    return b"".join(out)


def unified_diff(outcome: RunOutcome) -> bytes:
    return b"".join(
        file_diff(result)
        for result in sorted(outcome.results, key=lambda r: r.path)
        if result.status is Status.CHANGED and result.new is not None
    )


def colorize_diff(diff: bytes) -> bytes:
    """ANSI colours for a terminal; never used when output is piped."""
    styled = []
    for line in diff.splitlines(keepends=True):
        text = line.decode("utf-8", "replace")
        if line.startswith((b"diff --git", b"--- ", b"+++ ", b"new file")):
            text = click.style(text, bold=True)
        elif line.startswith(b"@@"):
            text = click.style(text, fg="cyan")
        elif line.startswith(b"+"):
            text = click.style(text, fg="green")
        elif line.startswith(b"-"):
            text = click.style(text, fg="red")
        styled.append(text.encode("utf-8"))
    return b"".join(styled)


def exit_code(outcome: RunOutcome) -> int:
    if outcome.dirty or any(result.status is Status.FAILED for result in outcome.results):
        return 2
    changed = any(result.status is Status.CHANGED for result in outcome.results)
    if changed and outcome.mode is not Mode.WRITE:
        return 1
    return 0


def json_report(outcome: RunOutcome) -> dict[str, Any]:
    """The ``--report`` document; keys are documented in the README."""
    return {
        "version": REPORT_VERSION,
        "tool_version": __version__,
        "mode": outcome.mode.value,
        "roots": [
            {
                "path": root.path,
                "files_scanned": root.scanned,
                "files_changed": root.changed,
                "files_unchanged": root.unchanged,
                "files_failed": root.failed,
                "files_skipped": root.skipped,
            }
            for root in outcome.roots
        ],
        "files": [
            {
                "path": result.path,
                "root": result.root,
                "status": result.status.value,
                "created": result.created,
                "transforms": list(result.transforms),
                "error": result.error,
            }
            for result in outcome.results
        ],
        "findings": [
            {"path": f.path, "line": f.line, "transform": f.transform, "reason": f.reason}
            for f in outcome.findings
        ],
        "refused_dirty_files": outcome.dirty,
        "exit_code": exit_code(outcome),
    }


def write_json_report(outcome: RunOutcome, destination: str) -> None:
    text = json.dumps(json_report(outcome), indent=2, ensure_ascii=False) + "\n"
    if destination == "-":
        sys.stdout.write(text)
    else:
        with open(destination, "w", encoding="utf-8") as stream:
            stream.write(text)


def print_outcome(outcome: RunOutcome, color: bool) -> None:
    """Diff or file list on stdout (the product); summary and findings on stderr."""
    err = click.get_text_stream("stderr")
    if outcome.mode is Mode.DIFF:
        diff = unified_diff(outcome)
        out = click.get_binary_stream("stdout")
        out.write(colorize_diff(diff) if color else diff)
        out.flush()
    elif outcome.mode is Mode.CHECK:
        for result in outcome.results:
            if result.status is Status.CHANGED:
                click.echo(f"would change: {result.path}")
    for result in outcome.results:
        if result.status is Status.FAILED:
            click.secho(f"error: {result.path}: {result.error}", fg="red" if color else None, err=True, color=color)
    if outcome.dirty:
        click.secho(
            "refusing to write: these files have uncommitted changes (commit or stash them, "
            "or pass --allow-dirty):",
            fg="red" if color else None,
            err=True,
            color=color,
        )
        for path in outcome.dirty:
            click.echo(f"  {path}", err=True)
    _print_summary(outcome, err, color)


def print_usage_error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _print_summary(outcome: RunOutcome, stream: Any, color: bool) -> None:
    verb = {Mode.WRITE: "changed", Mode.DIFF: "would change", Mode.CHECK: "would change"}[outcome.mode]
    if outcome.dirty:
        verb = "would change"
    scanned = sum(root.scanned for root in outcome.roots)
    changed = sum(root.changed for root in outcome.roots)
    created = sum(1 for r in outcome.results if r.created and r.status is Status.CHANGED)
    unchanged = sum(root.unchanged for root in outcome.roots)
    failed = sum(root.failed for root in outcome.roots)
    skipped = sum(root.skipped for root in outcome.roots)
    parts = [f"{scanned} files scanned", f"{changed} {verb}", f"{unchanged} unchanged", f"{failed} failed"]
    if skipped:
        parts.append(f"{skipped} skipped")
    if created:
        parts.append(f"{created} {'created' if outcome.mode is Mode.WRITE and not outcome.dirty else 'to create'}")
    findings = outcome.findings
    parts.append(f"{len(findings)} findings")
    click.echo(", ".join(parts), file=stream)
    if len(outcome.roots) > 1:
        for root in outcome.roots:
            click.echo(
                f"  {root.path}: {root.scanned} scanned, {root.changed} {verb}, "
                f"{root.unchanged} unchanged, {root.failed} failed",
                file=stream,
            )
    for finding in findings:
        location = f"{finding.path}:{finding.line}:"
        tag = f"[{finding.transform}]"
        if color:
            location = click.style(location, bold=True)
            tag = click.style(tag, fg="yellow")
        click.echo(f"{location} {tag} {finding.reason}", file=stream, color=color)
