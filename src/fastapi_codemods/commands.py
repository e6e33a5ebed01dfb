"""What ``fastapi-codemods run`` does once its command line is parsed.

Apart from `fastapi_codemods.cli` (click) so that a command line parsed before
(`fastapi_codemods.parsed_commands`) runs without importing click.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from fastapi_codemods.engine.options import Mode, RunOptions, UsageError
from fastapi_codemods.engine.report import Progress, exit_code, print_outcome, print_usage_error, write_json_report


@dataclass(frozen=True)
class Output:
    """How ``run`` reports: the options that are not the driver's."""

    color: bool | None = None
    output_format: str = "text"
    statistics: bool = False
    report_path: str | None = None
    progress: bool = True


def run(options: RunOptions, output: Output) -> NoReturn:
    """Run the driver, report, and exit with the documented code."""
    # Interrupted: nothing was written, since files are written only after every
    # file was processed, each atomically. SIGTERM ends the run as Ctrl-C does, so
    # that a write in progress removes its temporary file.
    signal.signal(signal.SIGTERM, _terminated)
    from fastapi_codemods.engine.driver import run as run_driver  # `list` and `audit` need none of it

    with exiting_on_usage_errors(), Progress(enabled=output.progress) as progress:
        outcome = run_driver(options, on_result=progress.step, on_total=progress.start)
    tally = None
    if options.mode is Mode.REVIEW and not outcome.dirty:
        # Imported here: it imports libcst, which the driver loads only once workers run.
        from fastapi_codemods.engine import interactive

        # Ctrl-C: 130; the files answered before it are written, nothing more.
        color = output.color if output.color is not None else sys.stdout.isatty()
        with exiting_on_usage_errors():
            outcome, tally = interactive.review(outcome, color=color)
    _despite_closed_stdout(lambda: print_outcome(outcome, color=output.color, output_format=output.output_format,
                                                 statistics=output.statistics))
    if tally is not None:
        interactive.print_review(tally)
    code = exit_code(outcome)
    if output.report_path:
        report_path = output.report_path
        try:
            _despite_closed_stdout(lambda: write_json_report(outcome, report_path))
        except OSError as error:
            print_usage_error(f"cannot write the report {report_path}: {error.strerror or error}")
            code = 2
    sys.exit(code)


@contextmanager
def exiting_on_usage_errors() -> Iterator[None]:
    """A usage error ends the command with exit code 2, Ctrl-C with 130, each with a
    one-line message and no traceback."""
    try:
        yield
    except UsageError as error:
        print_usage_error(str(error))
        sys.exit(2)
    except KeyboardInterrupt:
        print_usage_error("interrupted")
        sys.exit(130)


def _terminated(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _despite_closed_stdout(action: Callable[[], None]) -> None:
    """Run ``action``; if stdout is closed (``run . | head -1``), run it again with
    stdout discarded. The exit code says what happened to the files, not to the pipe.

    Every printing action writes all its stdout before its stderr, so the second
    pass prints the stderr part once.
    """
    try:
        action()
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        action()


def _discard_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.stdout = open(sys.stdout.fileno(), "w", closefd=False)  # noqa: SIM115 - lives until exit
