"""The audit's records: a practice, a piece of evidence, a verdict, a result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SEVERITIES = ("critical", "high", "medium", "low")


class Verdict(str, Enum):
    PASS = "PASS"
    NEEDS_ATTENTION = "NEEDS ATTENTION"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT APPLICABLE"


# Combining roots: the worst verdict wins; NOT APPLICABLE only when it is every root's.
WORST_FIRST = (Verdict.FAIL, Verdict.NEEDS_ATTENTION, Verdict.PASS, Verdict.NOT_APPLICABLE)


@dataclass(frozen=True)
class Practice:
    """One of the 15 practices of the reference audit."""

    number: int
    id: str
    name: str
    severity: str
    fix: str | None
    recommendation: str

    @property
    def rank(self) -> int:
        """0 for critical ... 3 for low."""
        return SEVERITIES.index(self.severity)


@dataclass(frozen=True, order=True)
class Evidence:
    """One place in the code behind a verdict; ``line`` 0 means the whole project."""

    path: str
    line: int
    column: int
    excerpt: str
    message: str
    fix: str | None = None
    """The transform that fixes this very site, when the check knows it does (the
    others of a practice with a fix need a person)."""


@dataclass(frozen=True)
class Outcome:
    """What a check decided on one root: a verdict, its evidence, and a reason when
    the verdict is not backed by evidence (not applicable, undecidable)."""

    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None
    fixes: int | None = None
    """How many evidence sites the practice's command fixes (those whose ``fix`` is
    set), when the check knows it site by site; None when it does not."""


@dataclass(frozen=True)
class PracticeResult:
    practice: Practice
    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None
    fixes: int | None = None


@dataclass(frozen=True)
class AuditReport:
    """The whole audit: the roots as given, when, and the 15 results in order.

    ``errors`` are (display path, problem) of the files the analysis could not read:
    the run exits with 2 when there is any.
    """

    project: str
    date: str
    tool_version: str
    results: tuple[PracticeResult, ...]
    roots: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def score(self) -> int:
        return sum(result.verdict is Verdict.PASS for result in self.results)


def combine(outcomes: list[Outcome]) -> Outcome:
    """One outcome from each root's."""
    if not outcomes:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no Python files")
    verdict = min((outcome.verdict for outcome in outcomes), key=WORST_FIRST.index)
    evidence = tuple(sorted({item for outcome in outcomes for item in outcome.evidence}))
    reasons = [outcome.reason for outcome in outcomes if outcome.verdict is verdict and outcome.reason]
    known = [outcome.fixes for outcome in outcomes if outcome.fixes is not None]
    fixes = sum(1 for item in evidence if item.fix) if known else None
    return Outcome(verdict, evidence, reasons[0] if reasons else None, fixes)
