"""File names git must quote or that are not UTF-8, bad exclude patterns, and git
failing: each named as it is, never a traceback or an invalid document."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WEB_APP_PRINTING, cli_env, git

from fastapi_codemods.engine import gitstate
from fastapi_codemods.engine.driver import RunOptions, run
from fastapi_codemods.engine.report import exit_code, git_quoted, print_outcome

PRINTING = WEB_APP_PRINTING
ODD_NAMES = ["tab\there.py", "new\nline.py", 'quo"te.py', "back\\slash.py", "café.py", "plain name.py"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "fastapi_codemods", *args], cwd=cwd, capture_output=True,
                          env=cli_env(), stdin=subprocess.DEVNULL)


def test_git_quoting_matches_git() -> None:
    assert git_quoted(b"a/", b"app/main.py") == b"a/app/main.py"
    assert git_quoted(b"a/", b"t\tn\nq\"b\\.py") == b'"a/t\\tn\\nq\\"b\\\\.py"'
    assert git_quoted(b"b/", "café.py".encode()) == b'"b/caf\\303\\251.py"'


def test_the_diff_of_odd_file_names_applies_with_git(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ODD_NAMES:
        (tree / name).write_text(PRINTING)
    git("init", "-q", cwd=tree)
    git("add", "-A", cwd=tree)
    git("commit", "-qm", "odd", cwd=tree)
    clean = tmp_path / "clean"
    shutil.copytree(tree, clean)
    diff = cli("run", "--no-cache", "--diff", "--only", "print_to_logging", ".", cwd=tree)
    assert diff.returncode == 1, diff.stderr.decode()
    assert cli("run", "--no-cache", "--only", "print_to_logging", ".", cwd=tree).returncode == 0
    applied = subprocess.run(["git", "apply", "-"], cwd=clean, input=diff.stdout, capture_output=True)
    assert applied.returncode == 0, applied.stderr.decode()
    for name in ODD_NAMES:
        assert (clean / name).read_bytes() == (tree / name).read_bytes() != PRINTING.encode()


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_a_file_name_that_is_not_utf8_gives_a_valid_utf8_document(tmp_path: Path, output_format: str) -> None:
    name = b"caf\xe9.py"
    try:
        (tmp_path / os.fsdecode(name)).write_text(PRINTING)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    completed = cli("run", "--no-cache", "--check", "--output-format", output_format, ".", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr.decode()
    document = json.loads(completed.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert os.fsdecode(name) in json.dumps(document, ensure_ascii=False)


def test_an_invalid_exclude_pattern_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(PRINTING)
    completed = cli("run", "--no-cache", "--check", "--exclude", "[z-a]", ".", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.decode().startswith("error: invalid --exclude pattern '[z-a]'")
    assert b"Traceback" not in completed.stderr


@pytest.mark.parametrize("value", ["[1]", '["[z-a]"]'])
def test_an_invalid_configured_exclude_is_a_usage_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "main.py").write_text(PRINTING)
    (tmp_path / "pyproject.toml").write_text(f"[tool.fastapi-codemods]\nexclude = {value}\n")
    for command in (["run", "--no-cache", "--check"], ["audit"]):
        completed = cli(*command, ".", cwd=tmp_path)
        assert completed.returncode == 2
        assert "invalid exclude pattern" in completed.stderr.decode()
        assert b"Traceback" not in completed.stderr


def test_a_bad_gitignore_line_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(PRINTING)
    (tmp_path / "skipped.py").write_text(PRINTING)
    (tmp_path / ".gitignore").write_text("[z-a]\nskipped.py\n")
    git("init", "-q", cwd=tmp_path)
    completed = cli("run", "--no-cache", "--check", "--only", "print_to_logging", ".", cwd=tmp_path)
    assert completed.returncode == 1 and completed.stdout == b"would change: main.py\n"


def test_when_git_fails_the_refusal_says_what_git_said(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "main.py").write_text(PRINTING)
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-qm", "one", cwd=tmp_path)

    def failing_git(root: Path, *args: str) -> bytes:
        raise subprocess.CalledProcessError(
            128, ["git", *args], stderr=b"fatal: detected dubious ownership in repository at '/x'\nmore\n")

    monkeypatch.setattr(gitstate, "_git", failing_git)
    outcome = run(RunOptions(paths=[tmp_path], jobs=1))
    assert outcome.git_error == "fatal: detected dubious ownership in repository at '/x'"
    assert exit_code(outcome) == 2
    assert (tmp_path / "main.py").read_text() == PRINTING
    print_outcome(outcome, color=False)
    stderr = capsys.readouterr().err
    assert "git failed (fatal: detected dubious ownership" in stderr
    assert "have uncommitted changes" not in stderr
