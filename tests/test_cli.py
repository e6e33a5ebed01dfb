"""The command line: options, exit codes, stdout/stderr, ``python -m`` and the console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, run_cli, web_app_importing
from sample_transforms import BreakCode, Flag, InsertTop

from fastapi_codemods.cli import cli
from fastapi_codemods.engine.tomlreader import tomllib


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_transforms) -> Path:
    use_transforms(InsertTop, Flag)
    for name, text in {"app/a.py": "flagged()\n", "app/b.py": "x = 1\n", "legacy/old.py": "flagged\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_defaults_to_the_current_folder_and_writes(project: Path) -> None:
    result = invoke("run", "--only", "flag", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (project / "app/a.py").read_text() == "done()\n"
    assert (project / "legacy/old.py").read_text() == "done\n"
    assert result.stderr.startswith("3 files scanned, 2 changed, 1 unchanged, 0 failed, 2 findings\n")
    assert "app/a.py:1: [flag] renamed flagged" in result.stderr


def test_diff_writes_nothing_and_exits_1(project: Path) -> None:
    result = invoke("run", "--diff", "app", "-j", "1")
    assert result.exit_code == 1
    assert result.stdout.startswith("diff --git a/app/a.py b/app/a.py\n")
    assert (project / "app/a.py").read_text() == "flagged()\n"
    assert "\x1b[" not in result.output


def test_check_lists_files_and_exits_1_then_0(project: Path) -> None:
    result = invoke("run", "--check", "--skip", "insert_top", "-j", "1")
    assert result.exit_code == 1
    assert result.stdout == "would change: app/a.py\nwould change: legacy/old.py\n"
    assert invoke("run", "--check", "--only", "flag", "app/b.py").exit_code == 0


def test_only_and_skip_are_validated_listing_valid_names(project: Path) -> None:
    for option in ("--only", "--skip"):
        result = invoke("run", option, "flag,nope")
        assert result.exit_code == 2
        assert "unknown transform 'nope'; valid names: insert_top, flag" in result.stderr
    assert (project / "app/a.py").read_text() == "flagged()\n"
    result = invoke("run", "--check", "--only", "insert_top, flag", "app/a.py")
    assert result.exit_code == 1


def test_exclude_is_repeatable(project: Path) -> None:
    result = invoke("run", "--check", "--exclude", "legacy/", "--exclude", "b.py", "-j", "1")
    assert result.stdout == "would change: app/a.py\n"
    assert result.stderr.startswith("1 file scanned")


@pytest.mark.parametrize("args", [["--diff", "--check"], ["--report", "-", "--diff"], ["--report", "-", "--check"], ["-j", "0"], ["--bogus"]])
def test_usage_errors_exit_2(project: Path, args: list[str]) -> None:
    result = invoke("run", *args)
    assert result.exit_code == 2
    assert (project / "app/a.py").read_text() == "flagged()\n"


def test_missing_path_and_bad_config_exit_2(project: Path) -> None:
    result = invoke("run", "nope")
    assert result.exit_code == 2 and "nope: no such file or folder" in result.stderr
    (project / "pyproject.toml").write_text("[tool.fastapi-codemods]\ncolour = true\n")
    result = invoke("run", "--check")
    assert result.exit_code == 2 and "unknown key 'colour'" in result.stderr


def test_failure_exits_2_and_wins_over_1(project: Path) -> None:
    (project / "app/bad.py").write_text("flagged = (\n")
    result = invoke("run", "--check", "-j", "1")
    assert result.exit_code == 2
    assert "would change: app/a.py" in result.stdout
    assert "error: app/bad.py: syntax error at line 1" in result.stderr


def test_invalid_output_is_an_internal_error_exit_2(project: Path, use_transforms) -> None:
    use_transforms(BreakCode)
    result = invoke("run", "app/b.py")
    assert result.exit_code == 2
    assert "error: app/b.py: internal error: the rewritten code does not compile" in result.stderr
    assert (project / "app/b.py").read_text() == "x = 1\n"


def test_report_file_and_stdout(project: Path) -> None:
    result = invoke("run", "--check", "--report", "out.json", "-j", "1")
    document = json.loads((project / "out.json").read_text())
    assert document["exit_code"] == result.exit_code == 1
    assert document["mode"] == "check"
    result = invoke("run", "--report", "-", "app/a.py")
    assert json.loads(result.stdout)["files"][0]["status"] == "changed"
    result = invoke("run", "--report", str(project / "no/such/dir/r.json"), "app/b.py")
    assert result.exit_code == 2 and "cannot write the report" in result.stderr


def test_dirty_tree_refusal_and_allow_dirty(project: Path, git_repo) -> None:
    git_repo(project)
    (project / "app/a.py").write_text("flagged()  # mine\n")
    result = invoke("run", "-j", "1")
    assert result.exit_code == 2
    assert "refusing to write" in result.stderr and "  app/a.py" in result.stderr
    assert (project / "legacy/old.py").read_text() == "flagged\n"
    assert invoke("run", "--diff", "-j", "1").exit_code == 1
    result = invoke("run", "--allow-dirty", "--no-progress", "-j", "1")
    assert result.exit_code == 0
    assert (project / "app/a.py").read_text() == "inserted()\ndone()  # mine\n"


def test_color_flag_forces_ansi(project: Path) -> None:
    result = invoke("run", "--diff", "--color", "app/a.py")
    assert "\x1b[32m+" in result.stdout and "\x1b[" in result.stderr
    assert "\x1b[" not in invoke("run", "--diff", "--no-color", "app/a.py").output


def test_format_flags(project: Path, use_transforms) -> None:
    from sample_transforms import MakeLong

    use_transforms(MakeLong)
    (project / "app/long.py").write_text("short()\n")
    result = invoke("run", "--diff", "--format", "app/long.py")
    assert "+function_with_a_rather_long_name(\n" in result.stdout
    (project / "pyproject.toml").write_text("[tool.black]\n")
    assert "+function_with_a_rather_long_name(\n" in invoke("run", "--diff", "app/long.py").stdout
    result = invoke("run", "--diff", "--no-format", "app/long.py")
    assert "+" + MakeLong.LONG + "\n" in result.stdout


def test_parallel_jobs(project: Path) -> None:
    result = invoke("run", "--check", "-j", "2")
    assert result.exit_code == 1 and result.stdout.count("would change") == 3


def test_list_shows_names_and_descriptions_in_run_order(project: Path) -> None:
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "insert_top  Insert ``inserted()`` as the first statement (shifts every later line by one).",
        "flag        Rename ``flagged`` to ``done`` unless a skip marker covers it; a finding either way.",
    ]


def test_console_script_is_declared() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"fastapi-codemods": "fastapi_codemods.main:main"}


def test_python_dash_m_runs_and_click_usage_errors_exit_2(tmp_path: Path) -> None:
    listing = run_cli("list", cwd=tmp_path)
    assert listing.returncode == 0 and b"print_to_logging" in listing.stdout
    bad = run_cli("run", "--no-such-option", cwd=tmp_path)
    assert bad.returncode == 2 and b"No such option" in bad.stderr and bad.stdout == b""


def test_real_process_streams_exit_codes_and_no_ansi_when_piped(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/main.py").write_text('def handler():\n    print("hi")\n')
    (tmp_path / "app/broken.py").write_text('def handler():\n    print "hi"\n')
    web_app_importing(tmp_path, "app.main")
    check = run_cli("run", "--check", "--only", "print_to_logging", cwd=tmp_path)
    assert check.returncode == 2
    assert check.stdout == b"would change: app/main.py\n"
    assert b"error: app/broken.py: syntax error at line 2" in check.stderr
    assert b"3 files scanned, 1 would change, 1 unchanged, 1 failed" in check.stderr
    assert b"\x1b[" not in check.stdout + check.stderr
    assert (tmp_path / "app/main.py").read_text() == 'def handler():\n    print("hi")\n'
