"""Command records (`fastapi_codemods.engine.replay`): a repeated dry run is answered
from what it printed, and any change to what it read runs it in full again.

The command-line tests run ``python -X importtime -m fastapi_codemods``: a replay
never imports `fastapi_codemods.cli`, which the import lines on stderr show (they
are written by the interpreter, not recorded)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import SRC

from fastapi_codemods import cli
from fastapi_codemods.engine import cache_folder, replay

SETTINGS = '''from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    debug: bool = False


settings = Settings()
'''
MAIN = '''from fastapi import FastAPI

from app.settings import settings
from app.worker import work  # its prints run in the web app: print_to_logging converts them

app = FastAPI(title="Shop")
'''
WORKER = '''def work(item):
    print("working on", item)
'''


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "shop"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/settings.py").write_text(SETTINGS)
    (root / "app/main.py").write_text(MAIN)
    (root / "app/worker.py").write_text(WORKER)
    return root


class Run:
    """One command's exit code, output (stderr without import lines) and whether a
    record answered it."""

    def __init__(self, completed: subprocess.CompletedProcess[bytes]) -> None:
        lines = completed.stderr.splitlines(keepends=True)
        imports = [line for line in lines if line.startswith(b"import time:")]
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = b"".join(line for line in lines if not line.startswith(b"import time:"))
        self.replayed = not any(b" fastapi_codemods.cli\n" in line for line in imports)
        assert imports, "the interpreter wrote no import lines"

    def output(self) -> tuple[int, bytes, bytes]:
        return self.code, self.stdout, self.stderr


def command(*args: str, cwd: Path, **env: str) -> Run:
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    environment.pop(cache_folder.NO_CACHE_ENV, None)
    environment.pop("FORCE_COLOR", None)
    environment.update(env)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fastapi_codemods", "run", *args],
        cwd=cwd, env=environment, capture_output=True, stdin=subprocess.DEVNULL,
    )
    return Run(completed)


def commands_folder(root: Path) -> Path:
    return root / cache_folder.CACHE_DIR / cache_folder.LAYOUT / "commands"


def test_a_repeated_check_is_answered_from_its_record(shop: Path) -> None:
    first = command("--check", "app", cwd=shop)
    assert first.code == 1 and not first.replayed
    assert b"would change: app/worker.py" in first.stdout
    second = command("--check", "app", cwd=shop)
    assert second.replayed
    assert second.output() == first.output()
    assert len(list(commands_folder(shop / "app").iterdir())) == 1


def test_a_diff_replays_byte_for_byte_with_streams_in_order(shop: Path) -> None:
    merged = {**os.environ, "PYTHONPATH": str(SRC)}
    merged.pop(cache_folder.NO_CACHE_ENV, None)
    argv = [sys.executable, "-m", "fastapi_codemods", "run", "--diff", "."]
    outputs = [subprocess.run(argv, cwd=shop, env=merged, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(2)]
    assert outputs[0].stdout == outputs[1].stdout
    assert b"+logger = logging.getLogger(__name__)" in outputs[0].stdout
    assert command("--diff", ".", cwd=shop).replayed


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "app/worker.py").write_text(WORKER + "\nprint('more')\n"), id="source edited"),
        pytest.param(lambda root: (root / "app/jobs").mkdir() or (root / "app/jobs/run.py").write_text(WORKER),
                     id="file added in a new folder"),
        pytest.param(lambda root: (root / "app/worker.py").unlink(), id="source removed"),
        pytest.param(lambda root: (root / "app/settings.py").write_text(SETTINGS.replace("debug", "title")),
                     id="settings another file depends on"),
        pytest.param(lambda root: (root / ".gitignore").write_text("app/worker.py\n"), id="gitignore added"),
        pytest.param(lambda root: (root.parent / "pyproject.toml").write_text(
            '[tool.fastapi-codemods]\nonly = ["print_to_logging"]\n'), id="configuration above the root"),
        pytest.param(lambda root: (root / "requirements.txt").write_text("fastapi\n"), id="packaging file added"),
        pytest.param(lambda root: (root / "gunicorn.conf.py").write_text("workers = 2\n"), id="config file added"),
    ],
)
def test_any_change_to_what_the_run_read_runs_it_again(shop: Path, change) -> None:
    first = command("--diff", ".", cwd=shop)
    assert command("--diff", ".", cwd=shop).replayed
    change(shop)
    after = command("--diff", ".", cwd=shop)
    assert not after.replayed
    assert after.output() != first.output()
    # The changed tree's record answers the next run with what the full run printed.
    again = command("--diff", ".", cwd=shop)
    assert again.replayed and again.output() == after.output()


def test_a_rewrite_keeping_size_and_mtime_is_seen(shop: Path) -> None:
    worker = shop / "app/worker.py"
    first = command("--check", ".", cwd=shop)
    before = worker.stat()
    worker.write_text(WORKER.replace("working", "WORKING"))
    os.utime(worker, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = command("--check", ".", cwd=shop)
    assert not after.replayed
    assert after.code == first.code


def test_another_command_line_environment_or_folder_is_another_record(shop: Path) -> None:
    command("--check", ".", cwd=shop)
    assert not command("--check", "--statistics", ".", cwd=shop).replayed
    assert not command("--check", ".", cwd=shop, NO_COLOR="1").replayed
    assert not command("--check", "shop", cwd=shop.parent).replayed
    assert command("--check", ".", cwd=shop).replayed


def test_json_is_recorded_only_from_a_run_the_run_record_answered_whole(shop: Path) -> None:
    runs = [command("--check", "--output-format", "json", ".", cwd=shop) for _ in range(3)]
    assert [run.replayed for run in runs] == [False, False, True]
    documents = [json.loads(run.stdout) for run in runs]
    assert [document["roots"][0]["cache"]["whole_run"] for document in documents] == [False, True, True]
    assert runs[2].output() == runs[1].output()


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(("--no-cache", "--check", "."), {}, id="--no-cache"),
        pytest.param(("--check", "."), {cache_folder.NO_CACHE_ENV: "1"}, id="environment"),
        pytest.param(("--check", "--report", "../report.json", "."), {}, id="--report"),
        pytest.param(("--allow-dirty", "."), {}, id="write"),
        pytest.param(("--check", "app/worker.py"), {}, id="single file"),
    ],
)
def test_commands_that_are_never_recorded(shop: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    for _ in range(2):
        assert not command(*args, cwd=shop, **env).replayed
    assert not commands_folder(shop).exists()


def test_a_file_that_does_not_parse_is_replayed_with_its_exit_code(shop: Path) -> None:
    (shop / "app/broken.py").write_text("print('unclosed'\n")
    runs = [command("--check", ".", cwd=shop) for _ in range(2)]
    assert [run.code for run in runs] == [2, 2]
    assert b"app/broken.py" in runs[0].stderr + runs[0].stdout
    assert [run.replayed for run in runs] == [False, True]
    assert runs[1].output() == runs[0].output()


def test_a_root_without_a_run_record_is_not_recorded(tmp_path: Path) -> None:
    """A file that could not be read, or an internal error, stores no run record
    (`cache.storable`); the command is then not recorded either."""
    witness = _witnessed(tmp_path)
    witness.answered = 0
    witness.record(1)
    assert not commands_folder(tmp_path).exists()


def test_a_run_that_started_a_program_is_not_recorded(tmp_path: Path) -> None:
    witness = _witnessed(tmp_path)
    witness.audit("subprocess.Popen", ("git", ["git", "status"], None, None))
    witness.record(1)
    assert not commands_folder(tmp_path).exists()
    _witnessed(tmp_path).record(1)
    assert commands_folder(tmp_path).exists()


def test_a_corrupt_record_is_no_answer(shop: Path) -> None:
    first = command("--check", ".", cwd=shop)
    (record,) = commands_folder(shop).iterdir()
    record.write_bytes(b"not a record")
    again = command("--check", ".", cwd=shop)
    assert not again.replayed and again.output() == first.output()


def _click_options() -> tuple[set[str], set[str]]:
    flags, valued = set(), set()
    for parameter in cli.run_command.params:
        if isinstance(parameter, click.Option):
            names = {*parameter.opts, *parameter.secondary_opts}
            (flags if parameter.is_flag else valued).update(names)
    return flags, valued


def test_the_parser_knows_every_option_of_run() -> None:
    flags, valued = _click_options()
    assert replay.RUN_FLAGS == flags | {"-h", "--help"}
    assert replay.RUN_VALUE_OPTIONS == valued


@pytest.mark.parametrize(
    ("argv", "paths", "output_format"),
    [
        (["run", "--check"], ["."], "text"),
        (["run", "--diff", "-j", "2", "--only", "print_to_logging", "src"], ["src"], "text"),
        (["run", "--check", "-j2", "--output-format=json", "--", "src"], ["src"], "json"),
        (["run", "--check", "--exclude", "--check", "src"], ["src"], "text"),
    ],
)
def test_recordable_command_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                  paths: list[str], output_format: str) -> None:
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path)
    invocation = replay.Invocation.parse(argv)
    assert invocation is not None
    assert (invocation.paths, invocation.output_format) == (paths, output_format)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["audit", "."],
        ["--version"],
        ["run", "."],
        ["run", "--check", "--interactive"],
        ["run", "--check", "--report", "out.json"],
        ["run", "--check", "--unknown-option"],
        ["run", "--check", "-xj2"],
        ["run", "--check", "--only"],
        ["run", "--check", "--no-progress=yes"],
        ["run", "--check", "missing-folder"],
        ["run", "--check", "--help"],
    ],
)
def test_command_lines_never_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert replay.Invocation.parse(argv) is None


def _witnessed(root: Path) -> replay.Witness:
    """A record of a folder and a file in it, taken as the audit hook would."""
    invocation = replay.Invocation([str(root)], "text")
    cache_folder.ensure(root / cache_folder.CACHE_DIR)  # as `replay.watch` does before a run
    witness = replay.Witness(invocation, "key")
    witness.roots = witness.answered = 1
    witness.saw_folder(str(root))
    witness.saw_file(str(root / "module.py"))
    witness.chunks.append((replay.STDOUT, bytearray(b"output\n")))
    return witness


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A record whose stamps are trusted at once (no racy window)."""
    monkeypatch.setattr(replay, "RACY_NS", 0)
    root = tmp_path / "project"
    root.mkdir()
    (root / "module.py").write_text("x = 1\n")
    _witnessed(root).record(0)
    return root


def _check(root: Path) -> tuple[object, replay.Replay]:
    attempt = replay.Replay(replay.Invocation([str(root)], "text"), "key")
    record = attempt.load()
    assert record is not None
    return attempt.holds(record), attempt


def test_an_unchanged_record_holds_without_reading_anything(recorded: Path) -> None:
    updated, attempt = _check(recorded)
    assert updated is not None and not attempt.refreshed


def test_same_bytes_with_a_new_stamp_hold_and_refresh_the_record(recorded: Path) -> None:
    (recorded / "module.py").write_text("x = 1\n")
    (recorded / "scratch.tmp").write_text("")  # an editor's temporary file, gone again
    (recorded / "scratch.tmp").unlink()
    updated, attempt = _check(recorded)
    assert updated is not None and attempt.refreshed


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "module.py").write_text("x = 2\n"), id="same size, other bytes"),
        pytest.param(lambda root: (root / "new.py").write_text(""), id="entry added"),
        pytest.param(lambda root: (root / "module.py").unlink(), id="file removed"),
        pytest.param(lambda root: (root.parent / "pyproject.toml").write_text(""), id="entry added above"),
    ],
)
def test_a_change_breaks_the_record(recorded: Path, change) -> None:
    change(recorded)
    updated, _ = _check(recorded)
    assert updated is None


def test_on_a_terminal_the_progress_bar_is_drawn_not_recorded(shop: Path) -> None:
    import pexpect

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop(cache_folder.NO_CACHE_ENV, None)
    argv = [sys.executable, "-X", "importtime", "-m", "fastapi_codemods", "run", "--check", "--no-color", "."]
    outputs = []
    for _ in range(2):
        output, code = pexpect.run(argv[0], args=argv[1:], cwd=str(shop), env=env, withexitstatus=True, timeout=120)
        lines = output.replace(b"\r\n", b"\n").splitlines(keepends=True)
        imports = b"".join(line for line in lines if line.startswith(b"import time:"))
        outputs.append((code, b"".join(line for line in lines if not line.startswith(b"import time:")), imports))
    (first_code, first, _), (second_code, second, second_imports) = outputs
    assert b" fastapi_codemods.cli\n" not in second_imports
    assert first_code == second_code == 1
    assert b"fastapi-codemods  [" in first  # click's bar, its label first
    assert b"fastapi-codemods  [" not in second
    assert second in first


def test_a_virtualenv_that_stops_being_one_is_walked_again(shop: Path) -> None:
    """Discovery skips a folder holding ``pyvenv.cfg`` without listing it; the record
    notes that folder, so removing the file runs the command again."""
    (shop / "env").mkdir()
    (shop / "env/pyvenv.cfg").write_text("home = /usr/bin\n")
    (shop / "env/job.py").write_text(WORKER)
    (shop / "app/main.py").write_text(MAIN + "from env.job import work as job\n")  # its prints run in the app
    first = command("--check", ".", cwd=shop)
    assert b"env/job.py" not in first.stdout
    assert command("--check", ".", cwd=shop).replayed
    (shop / "env/pyvenv.cfg").unlink()
    after = command("--check", ".", cwd=shop)
    assert not after.replayed
    assert b"would change: env/job.py" in after.stdout


def test_discovery_notes_the_virtualenv_folders_it_skips_unlisted(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi_codemods.engine.discovery import iter_python_files

    (tmp_path / "env").mkdir()
    (tmp_path / "env/pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "env/job.py").write_text(WORKER)
    witness = replay.Witness(replay.Invocation([str(tmp_path)], "text"), "key")
    monkeypatch.setattr(replay, "_witness", witness)
    assert list(iter_python_files(tmp_path)) == []
    assert str(tmp_path / "env") in witness.folders
