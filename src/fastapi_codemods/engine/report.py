"""Turning a run's outcome into what people and scripts read; the only code that prints.

- ``unified_diff``: byte-exact, ``git apply``-able (``diff --git`` headers, CRLF and
  BOM kept, ``\\ No newline at end of file``), files sorted.
- ``summary``: totals, then each finding as ``path:line: [transform] reason`` (or
  counts, ``--statistics``); ``--output-format`` documents come from `output_formats`.
- ``json_report``: the machine-readable record (schema in the README).
- ``exit_code``: 0 nothing to change, all written or reviewed; 1 diff/check found changes;
  2 usage error or any file failed (2 wins).
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi_codemods import __version__
from fastapi_codemods.engine.console import echo, style
from fastapi_codemods.engine.options import Mode
from fastapi_codemods.engine.jsontext import json_text
from fastapi_codemods.engine.results import FileResult, Status

if TYPE_CHECKING:
    from fastapi_codemods.engine.driver import RunOutcome

REPORT_VERSION = 1
NO_NEWLINE = b"\\ No newline at end of file\n"


def split_lines(data: bytes) -> list[bytes]:
    """Lines as git sees them: only ``\\n`` ends a line (a lone ``\\r`` is content)."""
    lines = data.split(b"\n")
    last = lines.pop()
    return [line + b"\n" for line in lines] + ([last] if last else [])


_C_ESCAPES = {0x07: b"\\a", 0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n", 0x0B: b"\\v", 0x0C: b"\\f",
              0x0D: b"\\r", 0x22: b'\\"', 0x5C: b"\\\\"}


def git_quoted(prefix: bytes, path: bytes) -> bytes:
    """``prefix + path`` as git writes it in a diff header: as is, unless the path
    holds a control character, a quote, a backslash or a byte above 0x7f; then in
    double quotes with C escapes (octal for the bytes without a letter), as git
    does with its default ``core.quotePath``, so that ``git apply`` reads it back."""
    if not any(byte < 0x20 or byte >= 0x7F or byte in (0x22, 0x5C) for byte in path):
        return prefix + path
    quoted = b"".join(
        _C_ESCAPES.get(byte) or (b"\\%03o" % byte if byte < 0x20 or byte >= 0x7F else bytes([byte]))
        for byte in prefix + path
    )
    return b'"' + quoted + b'"'


def file_diff(result: FileResult) -> bytes:
    """The git-style unified diff of one changed file, as exact bytes."""
    import difflib  # a run answered from the cache without a diff needs none of it

    assert result.new is not None
    path = result.path.encode("utf-8", "surrogateescape")
    old_lines = split_lines(result.old)
    new_lines = split_lines(result.new)
    header = [b"diff --git " + git_quoted(b"a/", path) + b" " + git_quoted(b"b/", path) + b"\n"]
    if result.created:
        header.append(b"new file mode 100644\n")
    body = list(
        difflib.diff_bytes(
            difflib.unified_diff,
            old_lines,
            new_lines,
            fromfile=b"/dev/null" if result.created else git_quoted(b"a/", path),
            tofile=git_quoted(b"b/", path),
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


_BOLD, _CYAN, _GREEN, _RED, _RESET = b"\x1b[1m", b"\x1b[36m", b"\x1b[32m", b"\x1b[31m", b"\x1b[0m"


def colorize_diff(diff: bytes) -> bytes:
    """ANSI colours for a terminal (never used when output is piped).

    Works on bytes so the content of each line (any encoding, CR) stays exact;
    the colour ends before the line terminator.
    """
    styled = []
    for line in split_lines(diff):
        if line.startswith((b"diff --git", b"--- ", b"+++ ", b"new file")):
            style = _BOLD
        elif line.startswith(b"@@"):
            style = _CYAN
        elif line.startswith(b"+"):
            style = _GREEN
        elif line.startswith(b"-"):
            style = _RED
        else:
            styled.append(line)
            continue
        body = line.rstrip(b"\r\n")
        styled.append(style + body + _RESET + line[len(body):])
    return b"".join(styled)


def exit_code(outcome: RunOutcome) -> int:
    if outcome.dirty or any(result.status is Status.FAILED for result in outcome.results):
        return 2
    changed = any(result.status is Status.CHANGED for result in outcome.results)
    # A review wrote what the reviewer accepted: declining a change is not a failure.
    if changed and outcome.mode not in (Mode.WRITE, Mode.REVIEW):
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
                "left_alone": dict(root.left_alone),
                "kept": [{"transform": name, "summary": line} for name, line in root.kept],
                "cache": None if root.cache is None else {
                    "hits": root.cache.hits, "misses": root.cache.misses, "whole_run": root.cache.whole_run,
                },
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
                "warning": result.warning,
            }
            for result in outcome.results
        ],
        "findings": [
            {"path": f.path, "line": f.line, "transform": f.transform, "reason": f.reason}
            for f in outcome.findings
        ],
        "refused_dirty_files": outcome.dirty,
        "warnings": outcome.warnings,
        "exit_code": exit_code(outcome),
    }


def write_json_report(outcome: RunOutcome, destination: str) -> None:
    text = json_text(json_report(outcome))
    if destination == "-":
        sys.stdout.write(text)
    else:
        with open(destination, "w", encoding="utf-8") as stream:
            stream.write(text)


OUTPUT_FORMATS = ("text", "json", "sarif", "github")


def print_outcome(outcome: RunOutcome, color: bool | None = None, output_format: str = "text",
                  statistics: bool = False) -> None:
    """Diff or file list on stdout (the product); errors, summary and findings on stderr.

    ``color`` None means: colour each stream only when it is a terminal. Another
    ``output_format`` replaces the file list, errors, summary and findings with one
    document (JSON report, SARIF, GitHub workflow commands) on stdout, or on stderr
    with ``--diff``, whose diff keeps stdout. ``statistics`` lists counts instead of
    each finding.
    """
    out_color = _wants_color(color, "stdout")
    err_color = _wants_color(color, "stderr")
    for warning in outcome.warnings:
        echo(_styled(f"warning: {warning}", err_color, fg="yellow"), err=True)
    if outcome.mode is Mode.DIFF:
        diff = unified_diff(outcome)
        sys.stdout.flush()
        out = sys.stdout.buffer
        out.write(colorize_diff(diff) if out_color else diff)
        out.flush()
    if output_format != "text":
        _print_document(outcome, output_format, sys.stderr if outcome.mode is Mode.DIFF else sys.stdout)
        return
    if outcome.mode is Mode.CHECK:
        for result in outcome.results:
            if result.status is Status.CHANGED:
                echo(f"would change: {result.path}")
    for result in outcome.results:
        if result.status is Status.FAILED:
            echo(_styled(f"error: {result.path}: {result.error}", err_color, fg="red"), err=True)
        elif result.warning:
            echo(_styled(f"warning: {result.path}: {result.warning}", err_color, fg="yellow"), err=True)
    if outcome.dirty:
        reason = (
            f"git failed ({outcome.git_error}), so these files may hold uncommitted changes (fix git, "
            "or pass --allow-dirty); nothing was written:"
            if outcome.git_error else
            "these files have uncommitted changes (commit or stash them, or pass --allow-dirty); nothing was written:"
        )
        echo(_styled(f"refusing to write: {reason}", err_color, fg="red"), err=True)
        for path in outcome.dirty:
            echo(f"  {path}", err=True)
    _print_summary(outcome, sys.stderr, err_color, statistics)


def _print_document(outcome: RunOutcome, output_format: str, stream: Any) -> None:
    if output_format == "json":
        text = json_text(json_report(outcome))
    elif output_format == "sarif":
        text = json_text(_output_formats().sarif_document(outcome))
    else:
        text = "".join(line + "\n" for line in _output_formats().github_lines(outcome))
    stream.flush()
    stream.write(text)
    stream.flush()


def _styled(text: str, color: bool, fg: str) -> str:
    return style(text, fg=fg) if color else text


def _wants_color(color: bool | None, stream: str) -> bool:
    if color is not None:
        return color
    return getattr(sys, stream).isatty()


class Progress:
    """A progress bar on stderr, shown only when asked and stderr is a terminal.

    Use as a context manager; pass ``start`` and ``step`` to the driver's
    ``on_total`` and ``on_result`` callbacks.
    """

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None

    def start(self, total: int) -> None:
        if self._enabled and total:
            import click  # only a terminal shows the bar

            self._bar = click.progressbar(length=total, label="fastapi-codemods", file=sys.stderr)
            self._bar.__enter__()

    def step(self, _result: FileResult) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def print_usage_error(message: str) -> None:
    echo(f"error: {message}", err=True)


def print_transforms(transforms: list[Any]) -> None:
    """``fastapi-codemods list``: name and one-line description, in run order."""
    width = max((len(t.NAME) for t in transforms), default=0)
    for transform in transforms:
        echo(f"{transform.NAME.ljust(width)}  {transform.DESCRIPTION}")


def _print_summary(outcome: RunOutcome, stream: Any, color: bool, statistics: bool = False) -> None:
    verb = {Mode.WRITE: "changed", Mode.DIFF: "would change", Mode.CHECK: "would change",
            Mode.REVIEW: "proposed"}[outcome.mode]
    if outcome.dirty:
        verb = "would change"
    scanned = sum(root.scanned for root in outcome.roots)
    changed = sum(root.changed for root in outcome.roots)
    created = sum(1 for r in outcome.results if r.created and r.status is Status.CHANGED)
    unchanged = sum(root.unchanged for root in outcome.roots)
    # every failure, a created file's included (roots count only discovered files)
    failed = sum(1 for r in outcome.results if r.status is Status.FAILED)
    skipped = sum(root.skipped for root in outcome.roots)
    parts = [_plural(scanned, "file") + " scanned", f"{changed} {verb}", f"{unchanged} unchanged", f"{failed} failed"]
    if skipped:
        parts.append(f"{skipped} skipped")
    if created:
        parts.append(f"{created} {'created' if outcome.mode is Mode.WRITE and not outcome.dirty else 'to create'}")
    findings = outcome.findings
    parts.append(_plural(len(findings), "finding"))
    echo(", ".join(parts), file=stream)
    if len(outcome.roots) > 1:
        for root in outcome.roots:
            echo(
                f"  {root.path}: {root.scanned} scanned, {root.changed} {verb}, "
                f"{root.unchanged} unchanged, {root.failed} failed"
                + (f", {root.skipped} skipped" if root.skipped else ""),
                file=stream,
            )
    _print_left_alone(outcome, stream)
    if statistics:
        for line in _output_formats().statistics_lines(outcome):
            echo(line, file=stream)
        return
    for finding in findings:
        location = f"{finding.path}:{finding.line}:"
        tag = f"[{finding.transform}]"
        if color:
            location = style(location, bold=True)
            tag = style(tag, fg="yellow")
        echo(f"{location} {tag} {finding.reason}", file=stream)


def _print_left_alone(outcome: RunOutcome, stream: Any) -> None:
    """What was deliberately not rewritten, so a reviewer sees why code remains."""
    left_alone: Counter[str] = Counter()
    kept: dict[str, list[str]] = {}
    for root in outcome.roots:
        left_alone.update(dict(root.left_alone))
        for name, line in root.kept:
            kept.setdefault(name, []).append(line)
    if left_alone:
        counts = ", ".join(_plural(count, reason) for reason, count in sorted(left_alone.items()))
        echo(f"left alone, not application code: {counts} (include-tests = true rewrites them)", file=stream)
    for name, lines in kept.items():
        for line in lines:
            echo(f"{name}: {line}", file=stream)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _output_formats() -> Any:
    """The machine formats (SARIF, GitHub, statistics), imported when asked for."""
    from fastapi_codemods.engine import output_formats

    return output_formats
