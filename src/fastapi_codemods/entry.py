"""The console script and ``python -m fastapi_codemods``.

A repeated dry run is answered from its command record (`engine.replay`) before
click or the driver is imported; every other command line goes to `cli`, watched
so that the next identical one can be answered.
"""

from __future__ import annotations

import os
import sys

from fastapi_codemods.engine import replay


def main() -> None:
    argv = sys.argv[1:]
    try:
        answer = replay.replay(argv)
    except Exception:  # noqa: BLE001 - a record that cannot be checked answers nothing
        answer = None
    if answer is not None:
        chunks, code = answer
        try:
            replay.print_chunks(chunks)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(code)
    witness = replay.watch(argv)
    from fastapi_codemods import cli

    exit_code = None
    try:
        cli.main()
    except SystemExit as exit:
        exit_code = exit.code
        raise
    finally:
        if witness is not None:
            replay.finish(witness, exit_code)
