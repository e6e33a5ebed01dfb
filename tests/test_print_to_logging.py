"""print_to_logging beyond the fixtures: the logged text equals what print wrote,
a bad level in the configuration stops the run before any file is touched, and a
command handler is traced to the module defining it."""

from __future__ import annotations

import contextlib
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_cli
from fastapi_codemods.analysis.programs import definition
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.codemods import load
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.pipeline import Plan, process_source
from fastapi_codemods.engine.results import Status

TRANSFORM = load("print_to_logging")
VALUES = {
    "x": 7,
    "ratio": 2 / 3,
    "name": "ü 100% 'q\"",
    "items": [1, "a"],
    "mapping": {"k": 1},
    "pair": (1, 2),
    "price": Decimal("3.50"),
    "nothing": None,
}

PRINTS = [
    'print("plain text")',
    'print("100% sure")',
    'print("100% sure", x)',
    'print("50%% escaped, no args")',
    "print(x)",
    "print(mapping)",
    "print(pair)",
    "print(name)",
    'print("mapping:", mapping)',
    'print("pair:", pair)',
    'print(b"raw", 42, 0x10, 1.5, True, None, nothing)',
    'print("a" "b", f"c{x}" "d")',
    'print(f"{{braces}} {x} {name!r} {name!a} {name!s}")',
    'print(f"{ratio:.2f} {x:d} {x:5d} {x:05d} {x:x} {ratio:e} {ratio:g} {price:.2f}")',
    'print(f"{name:>12}|", x)',
    'print(f"{x=}")',
    'print(x, name, items, sep="")',
    'print(x, name, sep=" | ")',
    'print("tab\\there", "new\\nline", end="\\n", flush=True)',
    'print("%s and %d" % (name, x))',
    'print("%s" % (pair,))',
    'print("%s done" % name)',
    'print("🚀 Starting", name)',
]


def _rewrite(source: str) -> str:
    plan = Plan(root=".", transforms=[TRANSFORM], options={TRANSFORM.NAME: dict(TRANSFORM.OPTIONS)})
    result = process_source(source.encode(), FileInfo(path="app/m.py", relpath="app/m.py"), plan)
    assert result.status is Status.CHANGED, result
    assert result.new is not None
    return result.new.decode()


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("statement", PRINTS)
def test_logged_text_equals_printed_text(statement: str) -> None:
    source = f"def run({', '.join(VALUES)}):\n    {statement}\n"
    rewritten = _rewrite(source)
    assert "print(" not in rewritten

    printed = io.StringIO()
    namespace: dict = {}
    exec(compile(source, "<original>", "exec"), namespace)
    with contextlib.redirect_stdout(printed):
        namespace["run"](**VALUES)

    capture = _Capture()
    logger = logging.getLogger("app.m")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        namespace = {"__name__": "app.m"}
        exec(compile(rewritten, "<rewritten>", "exec"), namespace)
        namespace["run"](**VALUES)
    finally:
        logger.removeHandler(capture)
    assert [message + "\n" for message in capture.messages] == [printed.getvalue()]


def test_unknown_level_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fastapi-codemods.print_to_logging]\nlevel = "loud"\n')
    (tmp_path / "app.py").write_text('print("x")\n')
    completed = run_cli("run", "--diff", str(tmp_path), cwd=tmp_path)
    assert completed.returncode == 2
    assert b"level = 'loud'" in completed.stderr
    assert (tmp_path / "app.py").read_text() == 'print("x")\n'


def _outputs() -> list[Path]:
    folder = Path(__file__).parent / "fixtures" / "print_to_logging"
    return sorted([*folder.glob("*.output.py"), *folder.glob("*/output/**/*.py")])


@pytest.mark.parametrize("path", _outputs(), ids=lambda path: path.name)
def test_outputs_are_black_style(path: Path) -> None:
    """Black (keeping the input's quotes) has nothing to change in any expected output."""
    import black

    source = path.read_bytes().decode().replace("\r\n", "\n")
    mode = black.Mode(string_normalization=False)
    assert black.format_str(source, mode=mode) == source


def test_definition_follows_reexports_and_renames(tmp_path: Path) -> None:
    sources = {
        "app/__init__.py": "",
        "app/commands/__init__.py": (
            "from app.commands.list_commands import start_list\n"
            "from .show_commands import start as start_show\n"
        ),
        "app/commands/list_commands.py": "import csv\n\n\ndef start_list(args):\n    pass\n",
        "app/commands/show_commands.py": "def start(args):\n    pass\n",
        "app/loop_a.py": "from app.loop_b import handler\n",
        "app/loop_b.py": "from app.loop_a import handler\n",
    }
    files = []
    for relpath, text in sources.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append((path, FileInfo(relpath, relpath)))
    project = Project(tmp_path, files)

    def found(name: str) -> tuple[str, str] | None:
        defined = definition(project, name)
        return None if defined is None else (defined[0].module, defined[2])

    assert found("app.commands.list_commands.start_list") == ("app.commands.list_commands", "start_list")
    assert found("app.commands.start_list") == ("app.commands.list_commands", "start_list")  # re-exported
    assert found("app.commands.start_show") == ("app.commands.show_commands", "start")  # renamed on the way
    assert found("app.commands.other") == ("app.commands", "other")  # bound by nothing imported
    assert found("click.echo") is None  # not the project's
    assert found("app.loop_a.handler") is None  # re-exports in a circle
