"""The command line: parse options and hand them to `fastapi_codemods.commands`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fastapi_codemods import __version__, commands
from fastapi_codemods.codemods import all_transforms
from fastapi_codemods.commands import exiting_on_usage_errors
from fastapi_codemods.engine.options import Mode, RunOptions
from fastapi_codemods.engine.report import OUTPUT_FORMATS, print_transforms, print_usage_error


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fastapi-codemods")
def cli() -> None:
    """Rewrite FastAPI backends to apply the fixes of a best-practices audit."""


@cli.command("run")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--diff", "diff_mode", is_flag=True, help="Dry run: print a unified diff, write nothing.")
@click.option("--check", "check_mode", is_flag=True, help="Dry run: list the files that would change.")
@click.option("--interactive", is_flag=True,
              help="Show each hunk and ask whether to apply it; write only the accepted ones.")
@click.option("--only", metavar="NAME[,NAME]", help="Run only these transforms.")
@click.option("--skip", metavar="NAME[,NAME]", help="Do not run these transforms.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Gitignore-style pattern to leave out (repeatable).")
@click.option("--report", "report_path", metavar="FILE", help="Write a JSON report to FILE ('-' for stdout).")
@click.option("--allow-dirty", is_flag=True, help="Write even into files with uncommitted git changes.")
@click.option("--allow-readonly", is_flag=True, help="Rewrite files without write permission too.")
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
@click.option("--color/--no-color", default=None, help="Colour output (default: only on a terminal).")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True,
              help="How to report changes and findings: text, a JSON report, SARIF or GitHub annotations.")
@click.option("--statistics", is_flag=True, help="Count changes and findings by transform and reason.")
@click.option("--format/--no-format", "format_", default=None,
              help="Black-format the touched lines (default: when the project configures black).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the .fastapi_codemods_cache/ folder.")
def run_command(
    paths: tuple[Path, ...],
    diff_mode: bool,
    check_mode: bool,
    interactive: bool,
    only: str | None,
    skip: str | None,
    jobs: int | None,
    exclude: tuple[str, ...],
    report_path: str | None,
    allow_dirty: bool,
    allow_readonly: bool,
    no_progress: bool,
    color: bool | None,
    output_format: str,
    statistics: bool,
    format_: bool | None,
    no_cache: bool,
) -> None:
    """Apply the transforms to PATHS (default: the current folder), in place."""
    if diff_mode and check_mode:
        raise click.UsageError("--diff and --check cannot be combined")
    if report_path == "-" and (diff_mode or check_mode):
        raise click.UsageError("--report - shares stdout with --diff/--check output; give the report a file name")
    if statistics and output_format != "text":
        raise click.UsageError("--statistics is a text report; the JSON and SARIF documents carry every item")
    if interactive:
        _check_interactive(diff_mode or check_mode, output_format, report_path)
    mode = Mode.REVIEW if interactive else Mode.DIFF if diff_mode else Mode.CHECK if check_mode else Mode.WRITE
    options = RunOptions(
        paths=list(paths) or [Path(".")],
        mode=mode,
        only=_names(only),
        skip=_names(skip),
        excludes=list(exclude),
        jobs=jobs,
        allow_dirty=allow_dirty,
        allow_readonly=allow_readonly,
        format=format_,
        cache=not no_cache,
    )
    output = commands.Output(color=color, output_format=output_format, statistics=statistics,
                             report_path=report_path, progress=not no_progress)
    remember_as = click.get_current_context().find_root().obj
    if isinstance(remember_as, list):
        from fastapi_codemods import parsed_commands

        parsed_commands.remember(remember_as, options, output)
    commands.run(options, output)


def _check_interactive(dry_run: bool, output_format: str, report_path: str | None) -> None:
    """--interactive asks on the terminal and writes what is accepted: no dry run, no
    document on stdout, and a terminal to ask on."""
    if dry_run:
        raise click.UsageError("--interactive writes what you accept; it cannot be combined with --diff or --check")
    if output_format != "text" or report_path:
        raise click.UsageError("--interactive reports as text; --output-format and --report are not available with it")
    if not sys.stdin.isatty():
        raise click.UsageError("--interactive needs a terminal")


@cli.command("audit")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "sarif"]), default="markdown", show_default=True,
              help="Report format.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low"]),
              help="Exit 1 only for non-passing practices of this severity or higher (default: any).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: available cores).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Gitignore-style pattern to leave out (repeatable).")
def audit_command(
    paths: tuple[Path, ...], fmt: str, output: str | None, fail_on: str | None, jobs: int | None,
    exclude: tuple[str, ...],
) -> None:
    """Report how PATHS (default: the current folder) follow the 15 FastAPI practices; writes no code."""
    # Imported here: `list` and `run` need none of it.
    from fastapi_codemods.audit.render import emit, exit_code
    from fastapi_codemods.audit.runner import AuditOptions, audit

    with exiting_on_usage_errors():
        report = audit(AuditOptions(paths=list(paths) or [Path(".")], excludes=list(exclude), jobs=jobs))
    try:
        emit(report, fmt, output)
    except OSError as error:
        print_usage_error(f"cannot write the report {output}: {error.strerror or error}")
        sys.exit(2)
    sys.exit(exit_code(report, fail_on))


@cli.command("list")
def list_command() -> None:
    """List every transform with its description, in run order."""
    print_transforms(all_transforms())


def main(remember: bool = False) -> None:
    """Parse the command line and run it; click's own usage errors exit with 2 as
    documented. ``remember``: note what a ``run`` line was parsed into
    (`fastapi_codemods.parsed_commands`)."""
    cli(prog_name="fastapi-codemods", obj=sys.argv[1:] if remember else None)
