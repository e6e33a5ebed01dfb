"""A run's changes and findings for machines: SARIF 2.1.0, GitHub workflow commands,
and the ``--statistics`` counts.

Every format carries the same three things: the files a transform rewrites (or
would), the findings (what a transform did not dare to rewrite, with the reason),
and the files that failed. A changed file is located at its first changed line, so
an annotation lands where the reviewer should look.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi_codemods import DOCUMENTATION_URL, __version__, codemods
from fastapi_codemods.engine import sarif
from fastapi_codemods.engine.options import Mode
from fastapi_codemods.engine.results import FileResult, Status

if TYPE_CHECKING:
    from fastapi_codemods.engine.driver import RunOutcome

_CODE_SPAN = re.compile(r"`[^`]*`")
_QUOTED = re.compile(r"'[^'\s]*'")  # a quoted name, not the apostrophes of "request's"
_LIST_OF_SPANS = re.compile(r"\([^()]*`…`[^()]*\)")


def first_changed_line(result: FileResult) -> int:
    """The 1-based line of the old file where the change starts (1 for a created file)."""
    if result.created or result.new is None:
        return 1
    old, new = result.old.splitlines(), result.new.splitlines()
    for number, (before, after) in enumerate(zip(old, new), 1):
        if before != after:
            return number
    return min(len(old), len(new)) + 1 if old else 1


def _changed(outcome: RunOutcome) -> list[FileResult]:
    return [result for result in outcome.results if result.status is Status.CHANGED]


def _change_message(outcome: RunOutcome, result: FileResult) -> str:
    names = ", ".join(result.transforms)
    if outcome.mode is Mode.WRITE and not outcome.dirty:
        return f"{'created' if result.created else 'rewritten'} by {names}"
    return f"{'would be created' if result.created else 'would be rewritten'} by {names}"


def sarif_document(outcome: RunOutcome) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per transform that changed or reported something; a
    result per finding (``warning``) and per changed file and transform (``error``
    in a dry run, where the change is still to be made; ``note`` once written)."""
    used = sorted({f.transform for f in outcome.findings}
                  | {name for result in _changed(outcome) for name in result.transforms},
                  key=_run_order)
    index = {name: position for position, name in enumerate(used)}
    applied = outcome.mode is Mode.WRITE and not outcome.dirty
    results = [
        _sarif_result(name, index[name], "note" if applied else "error", _change_message(outcome, result),
                      result.path, first_changed_line(result))
        for result in _changed(outcome)
        for name in result.transforms
    ]
    results += [_sarif_result(f.transform, index[f.transform], "warning", f.reason, f.path, f.line)
                for f in outcome.findings]
    failures = [result for result in outcome.results if result.status is Status.FAILED]
    notifications = [sarif.notification(f"{result.path}: {result.error or 'failed'}", result.path)
                     for result in failures]
    notifications += [
        sarif.notification(f"{path}: uncommitted changes: not written (commit or stash, or --allow-dirty)", path)
        for path in outcome.dirty
    ]
    return sarif.document(__version__, [_sarif_rule(name) for name in used], results, notifications,
                          {"mode": outcome.mode.value})


def _run_order(name: str) -> tuple[int, str]:
    return (codemods.ORDER.index(name) if name in codemods.ORDER else len(codemods.ORDER), name)


def _sarif_rule(name: str) -> dict[str, Any]:
    description = codemods.load(name).DESCRIPTION if name in codemods.ORDER else name
    return {
        "id": name,
        "shortDescription": {"text": description or name},
        "helpUri": f"{DOCUMENTATION_URL}#{name}",
        "help": {"text": f"fastapi-codemods run --only {name} PATH"},
    }


def _sarif_result(rule: str, rule_index: int, level: str, message: str, path: str, line: int) -> dict[str, Any]:
    return {"ruleId": rule, "ruleIndex": rule_index, "level": level, "message": {"text": message},
            "locations": [sarif.location(path, line)]}


def github_lines(outcome: RunOutcome) -> list[str]:
    """GitHub Actions workflow commands: ``::error`` for a change still to make and
    for a failed file, ``::warning`` for a finding, ``::notice`` for a change written."""
    applied = outcome.mode is Mode.WRITE and not outcome.dirty
    lines = [
        _command("notice" if applied else "error", _change_message(outcome, result), result.path,
                 first_changed_line(result), "fastapi-codemods")
        for result in _changed(outcome)
    ]
    lines += [_command("warning", f.reason, f.path, f.line, f"fastapi-codemods [{f.transform}]")
              for f in outcome.findings]
    lines += [_command("error", result.error or "failed", result.path, 0, "fastapi-codemods")
              for result in outcome.results if result.status is Status.FAILED]
    lines += [_command("error", "uncommitted changes: not written (commit or stash, or pass --allow-dirty)",
                       path, 0, "fastapi-codemods") for path in outcome.dirty]
    return lines


def _command(kind: str, message: str, path: str, line: int, title: str) -> str:
    properties = f"file={_escape_property(path)}"
    if line > 0:
        properties += f",line={line}"
    properties += f",title={_escape_property(title)}"
    return f"::{kind} {properties}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    """The runner's own escaping of a command's message (actions/toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def statistics_lines(outcome: RunOutcome) -> list[str]:
    """Counts, most frequent first: files changed per transform, then findings per
    transform and reason, with the reason's code spans and quoted names folded
    (`…`) so the same refusal in different places counts as one."""
    changes = Counter(name for result in _changed(outcome) for name in result.transforms)
    reasons = Counter((f.transform, normalised_reason(f.reason)) for f in outcome.findings)
    lines: list[str] = []
    if changes:
        width = len(str(max(changes.values())))
        verb = "files changed" if outcome.mode is Mode.WRITE and not outcome.dirty else "files to change"
        lines.append(f"{verb}, by transform:")
        lines += [f"  {count:>{width}}  {name}"
                  for name, count in sorted(changes.items(), key=lambda item: (-item[1], _run_order(item[0])))]
    if reasons:
        width = len(str(max(reasons.values())))
        lines.append("findings, by transform and reason:")
        lines += [f"  {count:>{width}}  [{name}] {reason}"
                  for (name, reason), count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    return lines


def normalised_reason(reason: str) -> str:
    folded = _QUOTED.sub("'…'", _CODE_SPAN.sub("`…`", reason))
    return _LIST_OF_SPANS.sub("(…)", folded)
