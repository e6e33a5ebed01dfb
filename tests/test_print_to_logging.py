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
from fastapi_codemods.codemods import load
from fastapi_codemods.codemods._project_scan import definition
from fastapi_codemods.fileinfo import FileInfo
from fastapi_codemods.pipeline import Plan, process_source
from fastapi_codemods.results import Status

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


MODULES = {"app", "app.commands", "app.commands.list_commands", "app.loop_a", "app.loop_b"}
IMPORTS = {
    "app.commands": {"app.commands.list_commands", "app.commands.list_commands.start_list"},
    "app.commands.list_commands": {"csv"},
    "app.loop_a": {"app.loop_b.handler"},
    "app.loop_b": {"app.loop_a.handler"},
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app.commands.list_commands.start_list", ("app.commands.list_commands", "start_list")),  # defined there
        ("app.commands.start_list", ("app.commands.list_commands", "start_list")),  # re-exported by the package
        ("app.commands.other", ("app.commands", "other")),  # nothing forwards it: the package's own
        ("click.echo", None),  # not the project's
        ("app.loop_a.handler", None),  # re-exports in a circle: no definition
    ],
)
def test_definition(name: str, expected: tuple[str, str] | None) -> None:
    assert definition(name, MODULES, IMPORTS) == expected
