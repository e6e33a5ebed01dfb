"""The console script: a ``run`` line parsed before runs without importing click.

See `fastapi_codemods.parsed_commands`; every other line goes to click
(`fastapi_codemods.cli`).
"""

from __future__ import annotations

import sys


def main() -> None:
    from fastapi_codemods import parsed_commands

    parsed = parsed_commands.recall(sys.argv[1:])
    if parsed is not None:
        from fastapi_codemods import commands

        commands.run(*parsed)
    from fastapi_codemods import cli

    cli.main(remember=True)
