"""`run --interactive`: hunks split and applied exactly (unit tests of `engine.hunks`),
the review loop with scripted answers (`engine.interactive`), and the command in a
pseudo-terminal (pexpect) as a user types."""

from __future__ import annotations

import ast
import itertools
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import REPO, cli_env, git, run_cli, web_app_importing
from hypothesis import given
from hypothesis import strategies as st

from fastapi_codemods.engine import hunks
from fastapi_codemods.engine.driver import Mode, RunOutcome
from fastapi_codemods.engine.interactive import review
from fastapi_codemods.engine.report import file_diff
from fastapi_codemods.engine.results import FileResult, Status

PROMPT = r"\[y,n,a,d,q,\?\]\? "
TIMEOUT = 30
TESTS = Path(__file__).resolve().parent


def changed(old: bytes, new: bytes, path: str = "app/m.py", created: bool = False) -> FileResult:
    return FileResult(path=path, root=".", status=Status.CHANGED, old=old, new=new,
                      transforms=("t",), created=created)


def numbered(count: int, eol: bytes = b"\n") -> list[bytes]:
    return [b"x%d = %d" % (index, index) + eol for index in range(count)]


def two_hunks(eol: bytes = b"\n") -> FileResult:
    """Lines 0 and 19 changed: far enough apart for two hunks."""
    old = numbered(20, eol)
    new = list(old)
    new[0] = b"x0 = 'first'" + eol
    new[19] = b"x19 = 'last'" + eol
    return changed(b"".join(old), b"".join(new))


# --- engine.hunks -----------------------------------------------------------------


def test_hunks_are_the_sections_of_the_diff() -> None:
    result = two_hunks()
    file = hunks.split(result)
    assert len(file.hunks) == 2
    assert file.header + b"".join(hunk.text for hunk in file.hunks) == file_diff(result)
    assert all(hunk.text.startswith(b"@@ ") for hunk in file.hunks)


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_every_subset_applies_exactly(eol: bytes) -> None:
    result = two_hunks(eol)
    file = hunks.split(result)
    first = hunks.apply(file, [True, False])
    assert first.split(eol)[0] == b"x0 = 'first'" and b"x19 = 19" + eol in first
    assert hunks.apply(file, [False, True]).endswith(b"x19 = 'last'" + eol)
    assert hunks.apply(file, [True, True]) == result.new
    assert hunks.apply(file, [False, False]) == result.old
    if eol == b"\r\n":
        assert first.count(b"\r\n") == first.count(b"\n") == 20


def test_no_newline_at_end_of_file_kept_on_each_side() -> None:
    old = b"".join(numbered(12)) + b"tail = 1"
    new = b"head = 0\n" + b"".join(numbered(12)) + b"tail = 2\n"
    file = hunks.split(changed(old, new))
    assert len(file.hunks) == 2
    assert hunks.apply(file, [True, False]) == b"head = 0\n" + b"".join(numbered(12)) + b"tail = 1"
    assert hunks.apply(file, [False, True]) == b"".join(numbered(12)) + b"tail = 2\n"


def test_bom_and_cookie_kept() -> None:
    old = b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n" + b"".join(numbered(12)) + b"print('\xc3\xa9')\n"
    new = old.replace(b"x0 = 0", b"x0 = 'zero'").replace(b"print(", b"log(")
    file = hunks.split(changed(old, new))
    assert hunks.apply(file, [False, True]).startswith(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\nx0 = 0\n")
    assert hunks.apply(file, [False, True]).endswith(b"log('\xc3\xa9')\n")


def test_created_file_is_one_hunk() -> None:
    file = hunks.split(changed(b"", b"".join(numbered(30)), created=True))
    assert len(file.hunks) == 1
    assert file.header.startswith(b"diff --git") and b"new file mode" in file.header
    assert hunks.apply(file, [True]) == b"".join(numbered(30))
    assert hunks.apply(file, [False]) == b""


def test_an_added_import_is_noticed() -> None:
    file = hunks.split(changed(b"".join(numbered(12)), b"import logging\n" + b"".join(numbered(12)) + b"y = 1\n"))
    assert [hunk.adds_import for hunk in file.hunks] == [True, False]


def test_wrong_number_of_answers_is_refused() -> None:
    with pytest.raises(ValueError):
        hunks.apply(hunks.split(two_hunks()), [True])


lines = st.lists(st.sampled_from([b"a\n", b"b\n", b"c\r\n", b"d", b"\n", b"e\n"]), max_size=40)


@given(lines, lines)
def test_any_change_splits_and_rebuilds(old: list[bytes], new: list[bytes]) -> None:
    old_bytes, new_bytes = b"".join(old), b"".join(new)
    if old_bytes == new_bytes:
        return
    result = changed(old_bytes, new_bytes)
    file = hunks.split(result)
    assert file.header + b"".join(hunk.text for hunk in file.hunks) == file_diff(result)
    assert hunks.apply(file, [True] * len(file.hunks)) == new_bytes
    assert hunks.apply(file, [False] * len(file.hunks)) == old_bytes


# --- engine.interactive with scripted answers ----------------------------------------


def scripted(*answers: str):
    """An ``ask`` that types ``answers`` in turn and records the prompts."""
    prompts: list[str] = []
    remaining = iter(answers)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(remaining)

    ask.prompts = prompts  # type: ignore[attr-defined]
    return ask


def bracket_result() -> FileResult:
    """Two hunks that parse only together: ``sum(`` -> ``sum([`` and ``)`` -> ``])``."""
    body = b"".join(b"    %d,\n" % index for index in range(8))
    return changed(b"total = sum(\n" + body + b")\n", b"total = sum([\n" + body + b"])\n")


def review_of(result: FileResult, *answers: str, capsys: pytest.CaptureFixture[str]):
    written: list[FileResult] = []

    def write(_outcome: RunOutcome, accepted: FileResult) -> FileResult:
        written.append(accepted)
        return accepted

    outcome = RunOutcome(mode=Mode.REVIEW, results=[result], roots=[])
    ask = scripted(*answers)
    capsys.readouterr()
    final, tally = review(outcome, color=False, ask=ask, write=write)
    return final, tally, written, ask.prompts, capsys.readouterr().out


def test_hunks_that_do_not_parse_together_are_asked_again(capsys: pytest.CaptureFixture[str]) -> None:
    final, tally, written, prompts, out = review_of(bracket_result(), "y", "n", "y", "y", capsys=capsys)
    assert "these hunks together do not parse (line 10: closing parenthesis" in out and "answer again" in out
    assert len(prompts) == 4
    assert [r.new for r in written] == [bracket_result().new]
    assert final.results == written
    assert (tally.accepted, tally.rejected) == (2, 0)


def test_rejecting_both_of_an_interdependent_pair_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    _final, tally, written, _prompts, out = review_of(bracket_result(), "d", capsys=capsys)
    assert written == [] and tally.declined == ["app/m.py"]
    assert "do not parse" not in out


def test_unknown_answer_shows_help_and_asks_again(capsys: pytest.CaptureFixture[str]) -> None:
    _final, tally, written, prompts, out = review_of(two_hunks(), "x", "y", "", "n", capsys=capsys)
    assert out.count("a - apply this hunk and all later hunks in this file") == 2
    assert len(prompts) == 4 and (tally.accepted, tally.rejected) == (1, 1)
    assert written[0].new == hunks.apply(hunks.split(two_hunks()), [True, False])


def test_end_of_input_quits_without_writing_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    def ask(_prompt: str) -> str:
        raise EOFError

    outcome = RunOutcome(mode=Mode.REVIEW, results=[two_hunks()], roots=[])
    _final, tally = review(outcome, color=False, ask=ask, write=pytest.fail)
    assert tally.not_reviewed == ["app/m.py"] and tally.written == []


def test_rejected_import_is_pointed_out(capsys: pytest.CaptureFixture[str]) -> None:
    result = changed(b"".join(numbered(12)), b"import logging\n" + b"".join(numbered(12)) + b"y = 1\n")
    _final, _tally, _written, _prompts, out = review_of(result, "n", "y", capsys=capsys)
    assert "note: hunk 1 adds an import and was not applied" in out


# --- the command in a pseudo-terminal ---------------------------------------------

MODULE = '''"""Module {name}."""

import os


def first():
    print("one {name}")
    return os.sep


def second():
    x = 1
    y = 2
    z = 3
    print("two {name}")
    return x + y + z
'''


def committed(folder: Path) -> Path:
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "start", cwd=folder)
    return folder


def small_project(folder: Path) -> Path:
    """Three files of two print_to_logging hunks each (the import, the second print)."""
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "__init__.py").write_text("")
    for name in "abc":
        (folder / "app" / f"{name}.py").write_text(MODULE.format(name=name))
    web_app_importing(folder, "app.a", "app.b", "app.c")
    return committed(folder)


def spawn(cwd: Path, *args: str, argv: tuple[str, ...] = ("-m", "fastapi_codemods"), color: bool = False) -> pexpect.spawn:
    """The command on a pseudo-terminal, uncoloured unless asked (colour is the default there)."""
    env = cli_env()
    env["PYTHONPATH"] = f"{TESTS}:{env['PYTHONPATH']}"
    options = ["--no-progress"] + ([] if color else ["--no-color"])
    return pexpect.spawn(sys.executable, [*argv, "run", "--interactive", *options, *args, "."],
                         cwd=str(cwd), env=env, timeout=TIMEOUT)


def answer(child: pexpect.spawn, *answers: str) -> None:
    for reply in answers:
        child.expect(PROMPT)
        child.sendline(reply)


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return child.before.decode()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (the tool also writes gunicorn.conf.py and edits pyproject.toml)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts and "__pycache__" not in p.parts}


def test_all_yes_writes_what_run_writes(tmp_path: Path) -> None:
    interactive = committed(shutil.copytree(REPO / "examples", tmp_path / "interactive"))
    plain = committed(shutil.copytree(REPO / "examples", tmp_path / "plain"))
    assert run_cli("run", "--no-progress", ".", cwd=plain).returncode == 0
    child = spawn(interactive)
    prompts: list[bytes] = []
    while child.expect([PROMPT, pexpect.EOF]) == 0:
        prompts.append(child.before.splitlines()[-1] + child.after)
        child.sendline("y")
    child.close()
    assert child.exitstatus == 0
    assert len(prompts) > 6  # more hunks than files
    assert b"(1/1) Create app/core/logging_config.py [y,n,a,d,q,?]? " in prompts
    assert snapshot(interactive) == snapshot(plain)
    original = snapshot(REPO / "examples")
    written = sum(original.get(name) != data for name, data in snapshot(plain).items())
    assert f"review: {written} files written, 0 left as they were" in child.before.decode()


def test_yes_then_no_applies_the_first_hunk_only(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    child = spawn(project, "--only", "print_to_logging")
    answer(child, "y", "n", "d", "d")
    out = finish(child)
    assert child.exitstatus == 0, out
    text = (project / "app" / "a.py").read_text()
    ast.parse(text)
    assert "import logging" in text and 'logger.info("one a")' in text and 'print("two a")' in text
    assert [(project / "app" / f"{name}.py").read_text() for name in "bc"] == [MODULE.format(name=n) for n in "bc"]
    assert "review: 1 file written, 2 left as they were, 1 hunk accepted, 5 rejected" in out


def test_quit_halfway_writes_the_files_answered(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    child = spawn(project, "--only", "print_to_logging")
    answer(child, "a", "y", "q")
    out = finish(child)
    assert child.exitstatus == 0, out
    assert "print(" not in (project / "app" / "a.py").read_text()
    assert [(project / "app" / f"{name}.py").read_text() for name in "bc"] == [MODULE.format(name=n) for n in "bc"]
    assert git("status", "--short", cwd=project).split() == ["M", "app/a.py"]
    assert "stopped with 2 files not reviewed (untouched)" in out


def test_help_then_an_answer(tmp_path: Path) -> None:
    """On a terminal the hunks are coloured as --diff colours them."""
    project = small_project(tmp_path / "p")
    child = spawn(project, "--only", "print_to_logging", color=True)
    child.expect(PROMPT)
    assert b"\x1b[32m+import logging\x1b[0m" in child.before
    assert child.before.endswith(b"(1/2) Apply this hunk to app/a.py ")
    child.sendline("?")
    child.expect("d - do not apply this hunk nor any later hunk in this file")
    child.expect(PROMPT)
    child.sendline("q")
    finish(child)
    assert child.exitstatus == 0
    assert git("status", "--short", cwd=project) == ""


def test_ctrl_c_exits_130_keeping_answered_files(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    child = spawn(project, "--only", "print_to_logging")
    answer(child, "a")
    child.expect(PROMPT)
    child.sendintr()
    finish(child)
    assert child.exitstatus == 130
    assert git("status", "--short", cwd=project).split() == ["M", "app/a.py"]


LAUNCHER = """
from fastapi_codemods import codemods
from fastapi_codemods.cli import main
from sample_transforms import Bracket

Bracket.DESCRIPTION = "wrap sum arguments in a list"
codemods.ORDER = ("bracket",)
codemods.load = {"bracket": Bracket}.__getitem__
main()
"""


def test_refused_combination_through_the_terminal(tmp_path: Path) -> None:
    """No real transform makes hunks that parse only together; the sample one does."""
    project = tmp_path / "p"
    project.mkdir()
    body = "".join(f"    {index},\n" for index in range(8))
    (project / "m.py").write_text(f"total = sum(\n{body})\n")
    committed(project)
    child = spawn(project, "-j", "1", argv=("-c", LAUNCHER))
    answer(child, "y", "n")
    child.expect(r"these hunks together do not parse \(line 10: closing parenthesis .*\); answer again")
    answer(child, "y", "y")
    out = finish(child)
    assert child.exitstatus == 0, out
    assert (project / "m.py").read_text() == f"total = sum([\n{body}])\n"


def test_dirty_tree_refused_before_asking(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / "app" / "a.py").write_text(MODULE.format(name="a") + "\n# mine\n")
    child = spawn(project, "--only", "print_to_logging")
    index = child.expect([PROMPT, pexpect.EOF])
    child.close()
    assert index == 1 and child.exitstatus == 2
    assert "refusing to write" in child.before.decode()


@pytest.mark.parametrize("option", [["--diff"], ["--check"], ["--output-format", "json"], ["--report", "r.json"]])
def test_interactive_refuses_other_outputs(tmp_path: Path, option: list[str]) -> None:
    project = small_project(tmp_path / "p")
    child = spawn(project, *option)
    out = finish(child)
    assert child.exitstatus == 2 and "--interactive" in out


def test_interactive_needs_a_terminal(tmp_path: Path) -> None:
    completed = run_cli("run", "--interactive", ".", cwd=small_project(tmp_path / "p"))
    assert completed.returncode == 2
    assert b"--interactive needs a terminal" in completed.stderr


def test_hunk_pairs_cover_every_answer() -> None:
    """Each pair of answers for two hunks builds one distinct file."""
    file = hunks.split(two_hunks())
    built = {hunks.apply(file, list(pair)) for pair in itertools.product([True, False], repeat=2)}
    assert len(built) == 4


def test_a_failed_write_is_reported_not_counted(capsys: pytest.CaptureFixture[str]) -> None:
    def fail(_outcome: RunOutcome, result: FileResult) -> FileResult:
        return FileResult(path=result.path, root=result.root, status=Status.FAILED, error="cannot write: full")

    outcome = RunOutcome(mode=Mode.REVIEW, results=[two_hunks()], roots=[])
    final, tally = review(outcome, color=False, ask=scripted("a"), write=fail)
    assert tally.written == [] and tally.accepted == 2
    assert final.results[0].status is Status.FAILED
