"""The audit's SARIF output: valid against the SARIF 2.1.0 schema, one rule per
practice, one result per piece of evidence, and where GitHub code scanning needs
them, paths relative to the repository and lines from 1."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from fastapi_codemods.audit.practices import PRACTICES
from fastapi_codemods.audit.records import AuditReport, Evidence, PracticeResult, Verdict
from fastapi_codemods.audit.render import fix_command
from fastapi_codemods.audit.sarif import to_sarif
from fastapi_codemods.cli import cli

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text())


def _validate(document: dict) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="module")
def examples_sarif() -> dict:
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = runner.invoke(cli, ["audit", "examples", "-j", "1", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_examples_report_is_valid_sarif(examples_sarif: dict) -> None:
    _validate(examples_sarif)
    assert examples_sarif["version"] == "2.1.0"


def test_one_rule_per_practice_and_one_result_per_evidence(examples_sarif: dict) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        data = json.loads(CliRunner().invoke(cli, ["audit", "examples", "-j", "1", "--format", "json"]).stdout)
    (run,) = examples_sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [practice.id for practice in PRACTICES]
    assert all(rule["helpUri"].endswith(f"#audit-practice-{n}") for n, rule in enumerate(rules, 1))
    expected = [
        (practice["id"], item["path"], item["line"], item["message"])
        for practice in data["practices"]
        for item in practice["evidence"]
    ]
    found = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        line = location.get("region", {}).get("startLine", 0)
        found.append((result["ruleId"], location["artifactLocation"]["uri"], line, result["message"]["text"]))
    assert found == expected and found
    assert run["properties"]["score"] == data["score"]
    assert run["properties"]["verdicts"] == {p["id"]: p["verdict"] for p in data["practices"]}


def test_paths_are_relative_to_the_repository(examples_sarif: dict) -> None:
    for result in examples_sarif["runs"][0]["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].partition("/")[0] == "examples" and not Path(artifact["uri"]).is_absolute()
        assert (REPO / artifact["uri"]).exists()


def test_project_wide_evidence_and_unreadable_files_stay_valid() -> None:
    practices = {practice.number: practice for practice in PRACTICES}
    results = tuple(
        PracticeResult(practice, Verdict.PASS) for practice in PRACTICES if practice.number != 15
    ) + (PracticeResult(practices[15], Verdict.NEEDS_ATTENTION,
                        (Evidence("svc", 0, 0, "", "no workers configuration found"),)),)
    report = AuditReport("svc", "2000-01-01", "0", results, ("svc",), (("svc/bad.py", "syntax error"),))
    document = to_sarif(report, fix_command)
    _validate(document)
    (run,) = document["runs"]
    assert "region" not in run["results"][0]["locations"][0]["physicalLocation"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == "syntax error"
