"""One line per practice: its verdict and what it rests on (the Markdown, the JSON and
the SARIF all show it)."""

from __future__ import annotations

from fastapi_codemods.audit.records import PracticeResult, Verdict


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def size(result: PracticeResult) -> str:
    """"3 findings in 2 files"."""
    files = {item.path for item in result.evidence if item.line}
    where = f" in {_plural(len(files), 'file')}" if files else ""
    return _plural(len(result.evidence), "finding") + where


def fix_split(result: PracticeResult) -> tuple[int, int] | None:
    """(sites the practice's command fixes, sites needing a person) when known site by site."""
    if result.practice.fix is None or result.fixes is None or not result.evidence:
        return None
    return result.fixes, len(result.evidence) - result.fixes


def status(result: PracticeResult) -> str:
    """One line: the verdict and what it rests on."""
    verdict = result.verdict.value
    if not result.evidence:
        return f"{verdict}: {result.reason}" if result.reason else verdict
    line = f"{verdict}: {size(result)}"
    split = fix_split(result)
    if split is not None:
        fixed, person = split
        line += f"; `{result.practice.fix}` fixes {fixed}, {person} need{'s' if person == 1 else ''} a person"
    elif result.practice.fix and result.verdict is not Verdict.PASS:
        line += f"; `{result.practice.fix}` rewrites what it can prove safe and reports the rest"
    else:
        line += "; fixed by hand"
    return line
