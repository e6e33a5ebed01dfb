"""``run --output-format json|sarif|github`` and ``--statistics`` on examples/: the
same changes and findings as the text report, in each machine format (SARIF valid
against the 2.1.0 schema), and the diff untouched on stdout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from fastapi_codemods.cli import cli
from fastapi_codemods.engine.output_formats import _escape_property, first_changed_line, normalised_reason
from fastapi_codemods.engine.results import FileResult, Status

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text())
WORKFLOW_COMMAND = re.compile(r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?,title=[^:]+::.+$")


def _run(*args: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return CliRunner().invoke(cli, ["run", "-j", "1", "--no-progress", *args, "examples"])


@pytest.fixture(scope="module")
def report() -> dict:
    """The JSON report of a dry run, to compare every other format with."""
    result = _run("--check", "--output-format", "json")
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_json_is_the_report_document(report: dict) -> None:
    assert report["mode"] == "check" and report["exit_code"] == 1
    assert report["findings"], "examples/ has findings"


def test_sarif_is_valid_and_has_a_result_per_change_and_finding(report: dict) -> None:
    result = _run("--check", "--output-format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(document), key=str)
    assert not errors, [error.message for error in errors[:3]]
    (run,) = document["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    changes = [(item["path"], name) for item in report["files"] if item["status"] == "changed"
               for name in item["transforms"]]
    findings = [(f["path"], f["line"], f["transform"], f["reason"]) for f in report["findings"]]
    found_changes, found_findings = [], []
    for item in run["results"]:
        assert rules[item["ruleIndex"]] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        if item["level"] == "warning":
            found_findings.append((location["artifactLocation"]["uri"], location["region"]["startLine"],
                                   item["ruleId"], item["message"]["text"]))
        else:
            assert item["level"] == "error" and item["message"]["text"].startswith("would be")
            found_changes.append((location["artifactLocation"]["uri"], item["ruleId"]))
    assert (sorted(found_changes), sorted(found_findings)) == (sorted(changes), sorted(findings))


def test_github_annotations_name_each_change_and_finding(report: dict) -> None:
    result = _run("--check", "--output-format", "github")
    lines = result.stdout.splitlines()
    assert lines and all(WORKFLOW_COMMAND.match(line) for line in lines), lines
    changed = [item for item in report["files"] if item["status"] == "changed"]
    assert sum(line.startswith("::error ") for line in lines) == len(changed)
    assert sum(line.startswith("::warning ") for line in lines) == len(report["findings"])
    finding = report["findings"][0]
    assert any(line.startswith(f"::warning file={finding['path']},line={finding['line']},") for line in lines)


def test_diff_keeps_stdout_and_annotations_go_to_stderr() -> None:
    plain = _run("--diff")
    annotated = _run("--diff", "--output-format", "github")
    assert annotated.stdout == plain.stdout and plain.stdout.startswith("diff --git ")
    assert annotated.stderr and all(WORKFLOW_COMMAND.match(line) for line in annotated.stderr.splitlines())


def test_statistics_count_changes_by_transform_and_findings_by_reason(report: dict) -> None:
    result = _run("--check", "--statistics")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    start = lines.index("files to change, by transform:")
    changed = sum(1 for item in report["files"] if item["status"] == "changed" and "print_to_logging" in item["transforms"])
    assert lines[start + 1] == f"  {changed}  print_to_logging"
    counted = [line for line in lines[lines.index("findings, by transform and reason:") + 1:]]
    assert sum(int(line.split()[0]) for line in counted) == len(report["findings"])
    assert not any(line.startswith("examples/") for line in lines), "the findings themselves are not listed"


def test_statistics_are_text_only() -> None:
    result = _run("--check", "--statistics", "--output-format", "json")
    assert result.exit_code == 2 and "--statistics" in result.stderr


def test_reasons_fold_code_and_names_but_not_apostrophes() -> None:
    assert normalised_reason("`send(...)` not moved: the request's session (`db`, 'x': `y`)") == (
        "`…` not moved: the request's session (…)"
    )


def test_properties_are_escaped_as_the_runner_reads_them() -> None:
    assert _escape_property("a,b:c%d") == "a%2Cb%3Ac%25d"


def test_a_change_is_located_at_its_first_changed_line() -> None:
    result = FileResult("a.py", ".", Status.CHANGED, old=b"x = 1\ny = 2\n", new=b"x = 1\ny = 3\n")
    assert first_changed_line(result) == 2
    appended = FileResult("a.py", ".", Status.CHANGED, old=b"x = 1\n", new=b"x = 1\ny = 3\n")
    assert first_changed_line(appended) == 2
