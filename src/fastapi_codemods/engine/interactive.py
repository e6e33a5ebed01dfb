"""`run --interactive`: show each hunk, ask the reviewer, write only what was accepted.

The run has computed every result and written nothing (`Mode.REVIEW`); this goes
through the changed files in diff order, hunk by hunk. A file is written (through
the driver, atomically) as soon as its answers are complete, so quitting keeps the
files already answered and leaves the current and later ones untouched. Accepted
hunks that do not parse together are refused and the file is asked again.

Besides `report`, the only code that prints or reads the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import click

from fastapi_codemods.engine import hunks
from fastapi_codemods.engine.driver import RunOutcome, write_result
from fastapi_codemods.engine.pipeline import syntax_problem
from fastapi_codemods.engine.report import colorize_diff
from fastapi_codemods.engine.results import FileResult, Status

CHOICES = "y,n,a,d,q,?"
HELP = """\
y - apply this hunk
n - do not apply this hunk
a - apply this hunk and all later hunks in this file
d - do not apply this hunk nor any later hunk in this file
q - quit: this file and the later ones stay untouched (files already answered are written)
? - print this help"""

Ask = Callable[[str], str]


class _Quit(Exception):
    """The reviewer answered q (or closed the input)."""


@dataclass
class Review:
    """What the reviewer decided, for the closing summary."""

    written: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)  # answered, no hunk accepted
    not_reviewed: list[str] = field(default_factory=list)  # after q
    accepted: int = 0
    rejected: int = 0


def review(outcome: RunOutcome, color: bool, ask: Ask | None = None,
           write: Callable[[RunOutcome, FileResult], FileResult] = write_result) -> tuple[RunOutcome, Review]:
    """Ask about every hunk of every changed file; write each file's accepted hunks.

    Returns the outcome with the results as written (a file written with only some
    hunks has those bytes as ``new``; a failed write is FAILED) and the tally.
    """
    ask = ask or _ask_terminal
    tally = Review()
    final: dict[str, FileResult] = {}
    changed = sorted((r for r in outcome.results if r.status is Status.CHANGED), key=lambda r: r.path)
    for number, result in enumerate(changed, start=1):
        try:
            file = hunks.split(result)
            answers = _answer_file(file, f"[{number}/{len(changed)}]", color, ask)
        except _Quit:
            tally.not_reviewed.extend(r.path for r in changed[number - 1:])
            break
        tally.accepted += sum(answers)
        tally.rejected += len(answers) - sum(answers)
        if any(answers):
            final[result.path] = write(outcome, replace(result, new=hunks.apply(file, answers)))
            if final[result.path].status is Status.CHANGED:  # else the report names the error
                tally.written.append(result.path)
        else:
            tally.declined.append(result.path)
    results = [final.get(r.path, r) for r in outcome.results]
    return replace(outcome, results=results), tally


def print_review(tally: Review) -> None:
    """The closing line on stderr: files written, hunks accepted and rejected."""
    parts = [
        f"review: {_plural(len(tally.written), 'file')} written",
        f"{len(tally.declined)} left as they were",
        f"{_plural(tally.accepted, 'hunk')} accepted",
        f"{tally.rejected} rejected",
    ]
    if tally.not_reviewed:
        parts.append(f"stopped with {_plural(len(tally.not_reviewed), 'file')} not reviewed (untouched)")
    click.echo(", ".join(parts), err=True)


def _answer_file(file: hunks.FileHunks, position: str, color: bool, ask: Ask) -> list[bool]:
    """The answers for one file, asked again while the accepted hunks do not parse."""
    result = file.result
    while True:
        click.echo(f"\n{position} {result.path}  ({', '.join(result.transforms)})")
        _show(file.header, color)
        answers = _answer_hunks(file, color, ask)
        if not any(answers):
            return answers
        problem = _problem(file, answers)
        if problem is None:
            _warn_missing_imports(file, answers)
            return answers
        click.echo(f"these hunks together do not parse ({problem}); answer again")


def _answer_hunks(file: hunks.FileHunks, color: bool, ask: Ask) -> list[bool]:
    answers: list[bool] = []
    total = len(file.hunks)
    rest: bool | None = None  # set by a / d: the answer for the remaining hunks
    for index, hunk in enumerate(file.hunks, start=1):
        if rest is not None:
            answers.append(rest)
            continue
        _show(hunk.text, color)
        what = "Create" if file.result.created else "Apply this hunk to"
        answer = _ask_choice(f"({index}/{total}) {what} {file.result.path} [{CHOICES}]? ", ask)
        if answer == "q":
            raise _Quit
        accept = answer in ("y", "a")
        if answer in ("a", "d"):
            rest = accept
        answers.append(accept)
    return answers


def _ask_choice(prompt: str, ask: Ask) -> str:
    """One of y n a d q; anything else shows the help and asks again."""
    while True:
        try:
            answer = ask(prompt).strip().lower()
        except EOFError:
            click.echo()
            raise _Quit from None
        if answer in ("y", "n", "a", "d", "q"):
            return answer
        click.echo(HELP)


def _problem(file: hunks.FileHunks, answers: list[bool]) -> str | None:
    if not file.result.path.endswith(".py"):
        return None
    return syntax_problem(file.result.old, hunks.apply(file, answers))


def _warn_missing_imports(file: hunks.FileHunks, answers: list[bool]) -> None:
    """Parsing proves little about names: a rejected ``import`` another accepted hunk
    uses is a NameError at run time. Say so; the reviewer decides."""
    for index, (hunk, accepted) in enumerate(zip(file.hunks, answers), start=1):
        if hunk.adds_import and not accepted:
            click.echo(f"note: hunk {index} adds an import and was not applied; check that the applied hunks do not need it")


def _show(data: bytes, color: bool) -> None:
    """Diff bytes as they are (any encoding, CR kept), coloured on a terminal."""
    sys.stdout.flush()
    sys.stdout.buffer.write(colorize_diff(data) if color else data)
    sys.stdout.buffer.flush()


def _ask_terminal(prompt: str) -> str:
    click.echo(prompt, nl=False)
    return input()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
