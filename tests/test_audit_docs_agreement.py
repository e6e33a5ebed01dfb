"""Practice 6 claims a fix only where conditional_docs makes it, and otherwise gives its reason.

Every conditional_docs fixture project is audited and, separately, run through the
transform as a dry run. For each app the audit reports serving its docs: evidence
with a ``fix`` must be an app the transform rewrites (its file changes and no
refusal is reported at that line); evidence without one must carry, word for word,
the reason the transform reports at that line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastapi_codemods.audit.runner import AuditOptions, audit
from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.results import Status
from fastapi_codemods.engine.tomlreader import tomllib

FIXTURES = Path(__file__).parent / "fixtures" / "conditional_docs"
PRACTICE = 6
REFUSALS = ("left unchanged: ", "not rewritten: ", "cannot use the configured flag")


def _cases() -> list[str]:
    names = {path.name.removesuffix(".input.py") for path in FIXTURES.glob("*.input.py")}
    names |= {path.name for path in FIXTURES.iterdir() if (path / "input").is_dir()}
    return sorted(names)


def _project(case: str, root: Path) -> None:
    """The fixture's project as tests/test_fixtures.py builds it."""
    if (FIXTURES / case).is_dir():
        shutil.copytree(FIXTURES / case / "input", root)
        return
    settings = {}
    if (FIXTURES / f"{case}.toml").exists():
        settings = tomllib.loads((FIXTURES / f"{case}.toml").read_text(encoding="utf-8"))
    relpath = Path(settings.get("relpath", f"app/{case}.py"))
    (root / relpath).parent.mkdir(parents=True)
    for package in relpath.parents:
        if package.parts and settings.get("packages", True):
            (root / package / "__init__.py").touch()
    shutil.copy(FIXTURES / f"{case}.input.py", root / relpath)
    options = settings.get("options", {})
    if options:
        lines = ["[tool.fastapi-codemods.conditional_docs]"]
        lines += [f"{key} = {value!r}".replace("'", '"') if '"' not in str(value) else f"{key} = '{value}'"
                  for key, value in options.items()]
        (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", _cases())
def test_audit_fix_agrees_with_the_transform(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(case, Path("project"))
    report = audit(AuditOptions(paths=[Path("project")], jobs=1))
    evidence = [item for item in report.results[PRACTICE - 1].evidence if item.line]
    if not evidence:
        return
    outcome = run(RunOptions(paths=[Path("project")], mode=Mode.CHECK, only=["conditional_docs"], jobs=1,
                             allow_dirty=True))
    changed = {result.path for result in outcome.results if result.status is Status.CHANGED}
    refusals = {(finding.path, finding.line): finding.reason for finding in outcome.findings
                if finding.reason.startswith(REFUSALS)}
    for item in evidence:
        refused = refusals.get((item.path, item.line))
        if item.fix:
            assert refused is None and item.path in changed, (item, refused, changed)
        elif "skip` marker" not in item.message:
            assert refused is not None, item
            reason = refused
            for prefix in REFUSALS[:2]:
                reason = reason.removeprefix(prefix)
            assert reason in item.message, (item.message, refused)
