"""What people and scripts read: summary, findings, JSON report, exit codes, colour,
progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sample_transforms import CreateModule, EditRequirements, Flag, InsertTop

from fastapi_codemods import __version__
from fastapi_codemods.engine import report
from fastapi_codemods.engine.driver import Mode, RootSummary, RunOptions, RunOutcome, run
from fastapi_codemods.engine.report import (
    Progress,
    exit_code,
    json_report,
    print_outcome,
    write_json_report,
)
from fastapi_codemods.engine.results import FileResult, Status


@pytest.fixture
def outcome(tmp_path: Path, monkeypatch, use_transforms) -> RunOutcome:
    use_transforms(InsertTop, Flag, CreateModule)
    files = {
        "one/a.py": "x = 1\nflagged()  # fastapi-codemods: skip=flag\n",
        "one/gen.py": "# @generated\nflagged\n",
        "one/bad.py": "def (:\n",
        "two/b.py": "y = flagged\n",
        "two/c.py": "# fastapi-codemods: skip-file\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return run(RunOptions(paths=[Path("one"), Path("two")], mode=Mode.CHECK, only=["insert_top", "flag"], jobs=1))


def test_json_report_schema_and_values(outcome: RunOutcome, tmp_path: Path) -> None:
    write_json_report(outcome, str(tmp_path / "report.json"))
    document = json.loads((tmp_path / "report.json").read_text())
    assert document == json_report(outcome)
    assert document["version"] == 1 and document["tool_version"] == __version__ and document["mode"] == "check"
    assert document["roots"] == [
        {"path": "one", "files_scanned": 3, "files_changed": 1, "files_unchanged": 0, "files_failed": 1, "files_skipped": 1,
         "left_alone": {}, "kept": [], "cache": None},
        {"path": "two", "files_scanned": 2, "files_changed": 1, "files_unchanged": 0, "files_failed": 0, "files_skipped": 1,
         "left_alone": {}, "kept": [], "cache": None},
    ]
    files = {entry["path"]: entry for entry in document["files"]}
    assert list(files) == sorted(files)
    assert set(files["one/a.py"]) == {"path", "root", "status", "created", "transforms", "error", "warning"}
    assert files["one/a.py"] == {
        "path": "one/a.py", "root": "one", "status": "changed", "created": False,
        "transforms": ["insert_top"], "error": None, "warning": None,
    }
    assert files["one/gen.py"]["status"] == "skipped" and "@generated" in files["one/gen.py"]["error"]
    assert files["two/c.py"]["status"] == "skipped" and "skip-file" in files["two/c.py"]["error"]
    assert files["one/bad.py"]["status"] == "failed" and files["one/bad.py"]["error"].startswith("syntax error at line 1")
    assert files["two/b.py"]["transforms"] == ["insert_top", "flag"]
    assert document["findings"] == [
        {"path": "one/a.py", "line": 2, "transform": "flag", "reason": "skipped flagged"},
        {"path": "two/b.py", "line": 1, "transform": "flag", "reason": "renamed flagged"},
    ]
    assert document["refused_dirty_files"] == []
    assert document["exit_code"] == 2


def test_summary_lists_totals_per_root_then_findings(outcome: RunOutcome, capsys) -> None:
    print_outcome(outcome)
    out, err = capsys.readouterr()
    assert out == "would change: one/a.py\nwould change: two/b.py\n"
    assert err.splitlines() == [
        "error: one/bad.py: syntax error at line 1: invalid syntax",
        "5 files scanned, 2 would change, 0 unchanged, 1 failed, 2 skipped, 2 findings",
        "  one: 3 scanned, 1 would change, 0 unchanged, 1 failed, 1 skipped",
        "  two: 2 scanned, 1 would change, 0 unchanged, 0 failed, 1 skipped",
        "one/a.py:2: [flag] skipped flagged",
        "two/b.py:1: [flag] renamed flagged",
    ]
    assert "\x1b[" not in out + err


def test_colour_only_when_asked_or_on_a_terminal(outcome: RunOutcome, capsys) -> None:
    print_outcome(outcome, color=True)
    _, err = capsys.readouterr()
    assert "\x1b[" in err
    print_outcome(outcome, color=False)
    _, err = capsys.readouterr()
    assert "\x1b[" not in err


def test_write_mode_summary_and_created_files(tmp_path: Path, monkeypatch, use_transforms, capsys) -> None:
    use_transforms(CreateModule)
    (tmp_path / "a.py").write_text("flagged\n")
    monkeypatch.chdir(tmp_path)
    done = run(RunOptions(paths=[Path(".")], jobs=1))
    print_outcome(done)
    _, err = capsys.readouterr()
    assert err == "1 file scanned, 1 changed, 0 unchanged, 0 failed, 1 created, 0 findings\n"
    (tmp_path / "pyproject.toml").write_text('[tool.fastapi-codemods.create_module]\nrelpath = "bad.py"\ntext = "def (:"\n')
    (tmp_path / "b.py").write_text("flagged\n")
    print_outcome(run(RunOptions(paths=[Path(".")], mode=Mode.CHECK, jobs=1)))
    _, err = capsys.readouterr()
    assert err.startswith("error: bad.py: internal error in create_module: the rewritten code does not parse")
    assert err.endswith("3 files scanned, 1 would change, 2 unchanged, 1 failed, 0 findings\n")
    created = [entry for entry in json_report(done)["files"] if entry["created"]]
    assert created == [{"path": "newpkg/created.py", "root": ".", "status": "changed", "created": True,
                        "transforms": ["create_module"], "error": None, "warning": None}]


def test_an_edited_file_is_in_the_summary_and_the_json_report(tmp_path: Path, monkeypatch, use_transforms,
                                                             capsys) -> None:
    use_transforms(Flag, EditRequirements)
    (tmp_path / "a.py").write_text("flagged()\n")
    (tmp_path / "requirements.txt").write_text("fastapi\n")
    monkeypatch.chdir(tmp_path)
    outcome = run(RunOptions(paths=[Path(".")], mode=Mode.DIFF, jobs=1))
    print_outcome(outcome)
    out, err = capsys.readouterr()
    assert err.startswith("2 files scanned, 2 would change, 0 unchanged, 0 failed, 1 finding\n")
    assert "diff --git a/requirements.txt b/requirements.txt\n--- a/requirements.txt" in out
    edited = [entry for entry in json_report(outcome)["files"] if entry["path"] == "requirements.txt"]
    assert edited == [{"path": "requirements.txt", "root": ".", "status": "changed", "created": False,
                       "transforms": ["edit_requirements"], "error": None, "warning": None}]


def test_refusal_is_explained_and_counted(capsys) -> None:
    outcome = RunOutcome(
        mode=Mode.WRITE,
        results=[FileResult(path="a.py", root=".", status=Status.CHANGED, old=b"x\n", new=b"y\n")],
        roots=[RootSummary(".", 1, 1, 0, 0, 0)],
        dirty=["a.py"],
    )
    print_outcome(outcome)
    _, err = capsys.readouterr()
    assert "refusing to write" in err and "--allow-dirty" in err and "\n  a.py\n" in err
    assert "1 would change" in err
    assert exit_code(outcome) == 2
    assert json_report(outcome)["refused_dirty_files"] == ["a.py"]


@pytest.mark.parametrize(
    ("mode", "statuses", "code"),
    [
        (Mode.WRITE, [], 0),
        (Mode.WRITE, [Status.UNCHANGED, Status.SKIPPED], 0),
        (Mode.WRITE, [Status.CHANGED], 0),
        (Mode.DIFF, [Status.UNCHANGED], 0),
        (Mode.DIFF, [Status.CHANGED], 1),
        (Mode.CHECK, [Status.CHANGED, Status.UNCHANGED], 1),
        (Mode.WRITE, [Status.CHANGED, Status.FAILED], 2),
        (Mode.DIFF, [Status.CHANGED, Status.FAILED], 2),
        (Mode.CHECK, [Status.FAILED], 2),
    ],
)
def test_exit_codes(mode: Mode, statuses: list[Status], code: int) -> None:
    results = [
        FileResult(path=f"f{i}.py", root=".", status=status, new=b"" if status is Status.CHANGED else None)
        for i, status in enumerate(statuses)
    ]
    assert exit_code(RunOutcome(mode=mode, results=results, roots=[])) == code


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("tty", "enabled", "shown"), [(True, True, True), (True, False, False), (False, True, False)])
def test_progress_bar_only_on_a_terminal(monkeypatch, tty: bool, enabled: bool, shown: bool) -> None:
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(report.sys, "stderr", stream)
    result = FileResult(path="a.py", root=".", status=Status.UNCHANGED)
    with Progress(enabled=enabled) as progress:
        progress.start(2)
        progress.step(result)
        progress.step(result)
    assert ("fastapi-codemods" in stream.getvalue()) is shown
