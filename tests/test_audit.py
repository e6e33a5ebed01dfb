"""The audit command: each check's verdicts on small fixture projects, the report on
examples/, the JSON shape, exit codes and unreadable files."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import fastapi_codemods
from fastapi_codemods.audit.checks import MODULES
from fastapi_codemods.audit.checks.secrets import hard_coded_secrets
from fastapi_codemods.audit.practices import PRACTICES
from fastapi_codemods.audit.records import (
    AuditReport,
    PracticeResult,
    Verdict,
)
from fastapi_codemods.audit.render import exit_code
from fastapi_codemods.audit.runner import AuditOptions, audit
from fastapi_codemods.cli import cli
from fastapi_codemods.engine.tomlreader import tomllib
from fastapi_codemods.engine.fileinfo import FileInfo

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures_audit"
EXPECTED_REPORT = Path(__file__).resolve().parent / "expected" / "examples_audit.md"
CASES = sorted(path.parent.relative_to(FIXTURES).as_posix() for path in FIXTURES.glob("*/*/expected.toml"))
NUMBERS = {module.__name__.rpartition(".")[2]: number for number, module in MODULES.items()}
SOURCE = str(Path(fastapi_codemods.__file__).resolve().parent.parent)
DATE = re.compile(r"^- Date: \d{4}-\d{2}-\d{2}$", re.MULTILINE)


@pytest.mark.parametrize("case", CASES)
def test_check_verdicts(case: str) -> None:
    check, _, name = case.partition("/")
    folder = FIXTURES / case
    expected = tomllib.loads((folder / "expected.toml").read_text())
    assert name.split("_")[0] in {"pass", "fail", "attention", "not"}, "case names start with their verdict"
    report = audit(AuditOptions(paths=[folder], jobs=1))
    assert not report.errors
    result = report.results[NUMBERS[check] - 1]
    prefix = report.roots[0] + "/"
    # Project-wide evidence names the root itself: "." in expected.toml.
    found = [f"{'.' if item.path == report.roots[0] else item.path.removeprefix(prefix)}:{item.line}"
             for item in result.evidence]
    assert (result.verdict.value, found) == (expected["verdict"], expected["evidence"])
    # Optional: a substring of each piece of evidence's message, and how many sites the fix command fixes.
    if "messages" in expected:
        messages = [item.message for item in result.evidence]
        assert len(messages) == len(expected["messages"]) and all(
            want in got for want, got in zip(expected["messages"], messages)), messages
    if "fixes" in expected:
        assert result.fixes == expected["fixes"]


def test_every_check_has_each_verdict_fixture() -> None:
    for check in NUMBERS:
        kinds = {case.partition("/")[2].split("_")[0] for case in CASES if case.startswith(check + "/")}
        assert {"pass", "fail", "not"} <= kinds, check


def test_secret_excerpts_are_masked() -> None:
    report = audit(AuditOptions(paths=[FIXTURES / "secrets" / "fail_database_url_credentials"], jobs=1))
    (item,) = report.results[12].evidence
    assert "hunter2" not in item.excerpt and "app:***@db.internal" in item.excerpt


def _normalised(text: str) -> str:
    return DATE.sub("- Date: YYYY-MM-DD", text)


def test_examples_report_matches_the_committed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    output = tmp_path / "report.md"
    result = CliRunner().invoke(cli, ["audit", "examples", "-j", "1", "-o", str(output)])
    assert result.exit_code == 1, result.output
    assert _normalised(output.read_text()) == EXPECTED_REPORT.read_text()


def test_every_practice_has_a_check_with_a_docstring() -> None:
    assert sorted(MODULES) == [practice.number for practice in PRACTICES]
    for module in MODULES.values():
        assert module.__doc__ and module.check.__doc__, module.__name__


def test_json_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["audit", "examples", "-j", "1", "--format", "json"])
    data = json.loads(result.stdout)
    assert set(data) == {"version", "tool_version", "project", "date", "roots", "score", "errors", "practices"}
    assert data["version"] == 1 and data["project"] == "examples"
    assert (data["roots"], data["errors"]) == (["examples"], [])
    assert [p["number"] for p in data["practices"]] == list(range(1, 16))
    assert data["score"] == sum(p["verdict"] == "PASS" for p in data["practices"])
    for practice in data["practices"]:
        assert set(practice) == {"id", "number", "name", "verdict", "severity", "reason", "status", "evidence",
                                 "fix", "fixes", "recommendation"}
        assert practice["status"].startswith(practice["verdict"])
        assert practice["verdict"] in {v.value for v in Verdict}
        assert practice["severity"] in {"critical", "high", "medium", "low"}
        for item in practice["evidence"]:
            assert set(item) == {"path", "line", "column", "excerpt", "message", "fix"}
    logging = data["practices"][13]
    assert logging["verdict"] == "FAIL" and logging["fix"] == "print_to_logging"
    assert {"path": "examples/app/main.py", "line": 27, "column": 5,
            "excerpt": 'print("🚀 Starting CivicLens API...")',
            "message": "print() in application code: log it instead", "fix": None} in logging["evidence"]
    background = data["practices"][4]
    assert background["fixes"] == sum(item["fix"] == "background_tasks" for item in background["evidence"]) == 2


def _report(*verdicts: tuple[int, Verdict], errors: tuple = ()) -> AuditReport:
    chosen = dict(verdicts)
    results = tuple(PracticeResult(p, chosen.get(p.number, Verdict.PASS)) for p in PRACTICES)
    return AuditReport("x", "2000-01-01", "0", results, ("x",), errors)


def test_exit_codes_and_fail_on() -> None:
    assert exit_code(_report()) == 0
    assert exit_code(_report((7, Verdict.NOT_APPLICABLE))) == 0
    medium = _report((8, Verdict.FAIL))  # practice 8 is medium
    assert exit_code(medium) == 1
    assert exit_code(medium, "low") == 1
    assert exit_code(medium, "medium") == 1
    assert exit_code(medium, "high") == 0
    assert exit_code(_report((7, Verdict.NEEDS_ATTENTION)), "medium") == 0
    assert exit_code(_report((13, Verdict.FAIL)), "critical") == 1
    assert exit_code(_report(errors=(("a.py", "syntax error"),))) == 2


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", str(REPO / "examples"), "-j", "1", "--fail-on", "critical"]).exit_code == 1
    assert runner.invoke(cli, ["audit", str(REPO / "examples"), "--fail-on", "urgent"]).exit_code == 2
    missing = runner.invoke(cli, ["audit", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_a_file_that_does_not_parse_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "audit", "broken.py", "main.py", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": SOURCE},
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: broken.py: syntax error at line 1: invalid syntax"]
    data = json.loads(result.stdout)
    assert data["errors"] == [{"path": "broken.py", "error": "syntax error at line 1: invalid syntax"}]
    assert data["practices"][5]["verdict"] == "FAIL"
    # A verdict that may depend on the unread file says so, with the count.
    lifespan = data["practices"][11]
    assert lifespan["verdict"] == "NEEDS ATTENTION"
    assert lifespan["reason"].startswith("1 application file(s) could not be read")
    assert "without them: PASS" in lifespan["reason"]
    markdown = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "audit", "broken.py", "main.py"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": SOURCE},
    ).stdout
    assert "## Files not read" in markdown and "- `broken.py`: syntax error at line 1: invalid syntax" in markdown
    sarif = json.loads(subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "audit", "broken.py", "main.py", "--format", "sarif"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": SOURCE},
    ).stdout)
    (notification,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"
    assert sarif["runs"][0]["properties"]["verdicts"]["lifespan"] == "NEEDS ATTENTION"


def test_the_audit_runs_without_libcst() -> None:
    code = (
        "import sys\n"
        "from fastapi_codemods.audit.runner import AuditOptions, audit\n"
        f"audit(AuditOptions(paths=[{str(REPO / 'examples')!r}], jobs=1))\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'libcst'))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": SOURCE}).stdout
    assert loaded.strip() == "[]"


def test_a_settings_field_default_is_told_to_go_and_a_module_constant_to_move() -> None:
    text = (
        'SECRET_KEY = "s3cr3t-value"\n\n\n'
        "class Settings:\n"
        '    api_secret: str = "ToTheMoon1"\n'
    )
    found = hard_coded_secrets(FileInfo(path="config.py", relpath="config.py"), ast.parse(text), text, {})
    assert [(line, message) for line, _column, _excerpt, message in found] == [
        (1, "SECRET_KEY is hard-coded: read it from the environment (settings class)"),
        (5, "api_secret is hard-coded: remove the default so it must come from the environment"),
    ]
