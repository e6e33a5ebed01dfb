"""One parametrised test over every fixture of every transform.

Layout (see CONTRIBUTING.md):

- ``fixtures/<transform>/<case>.input.py`` and, when the transform must change it,
  ``<case>.output.py``; no output file means the input must come back byte-identical.
- ``<case>.findings`` (optional): the findings expected, one ``LINE: reason text``
  per line (the reason is matched as a substring). Without it, no finding is allowed.
- ``<case>.toml`` (optional): ``relpath = "app/cli.py"`` places the file in the
  scratch project (default ``app/<case>.py``); ``[options]`` is the transform's
  options table.
- ``fixtures/<transform>/_context/`` (optional): files copied beside every
  single-file case of that transform, ``$module`` in them replaced by the case's
  module name: print_to_logging's is a web app importing the case module, so that
  its prints run in a program that shows them. ``context = false`` in the case's
  ``.toml`` leaves it out.
- ``<case>/input/`` + ``<case>/output/``: a whole project; files absent from
  ``output/`` must stay unchanged, files only in ``output/`` must be created. An
  expected file whose whole text is ``@same-as <path>`` (relative to ``fixtures/``)
  expects exactly the bytes of that other fixture file: a created module that many
  cases share is written out once.

Each case runs the real driver on a scratch copy with only that transform, checks
the exact bytes, that every written file parses, and that a second run changes nothing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import libcst as cst
import pytest

from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.results import Status
from fastapi_codemods.engine.sources import compile_error, decode_source, parse
from fastapi_codemods.engine.tomlreader import tomllib

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list[pytest.param]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(folder.iterdir()):
            if entry.name.endswith(".input.py"):
                case = entry.name.removesuffix(".input.py")
                cases.append(pytest.param(folder.name, case, id=f"{folder.name}/{case}"))
            elif entry.is_dir() and (entry / "input").is_dir():
                cases.append(pytest.param(folder.name, entry.name, id=f"{folder.name}/{entry.name}"))
    return cases


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


SAME_AS = b"@same-as "


def _expected_tree(folder: Path) -> dict[str, bytes]:
    """``_tree`` with ``@same-as`` references replaced by the bytes they name."""
    tree = _tree(folder)
    for name, data in tree.items():
        if data.startswith(SAME_AS):
            tree[name] = (FIXTURES / data[len(SAME_AS):].decode().strip()).read_bytes()
    return tree


def _write_options(project: Path, transform: str, options: dict) -> None:
    lines = [f"[tool.fastapi-codemods.{transform}]"]
    for key, value in options.items():
        lines.append(f"{key} = {_toml_value(value)}")
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _copy_context(context: Path, project: Path, relpath: str) -> None:
    parts = Path(relpath).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    for path in sorted(context.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            target = project / path.relative_to(context)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes().replace(b"$module", module.encode()))


def _expected_findings(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    expected = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            number, _, reason = line.partition(":")
            expected.append((int(number), reason.strip()))
    return expected


def _run_once(project: Path, transform: str):
    return run(RunOptions(paths=[project], mode=Mode.WRITE, only=[transform], jobs=1, allow_dirty=True))


@pytest.mark.parametrize(("transform", "case"), _cases())
def test_fixture(transform: str, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # display paths in findings read ``project/...``
    folder = FIXTURES / transform
    project = tmp_path / "project"
    project.mkdir()
    findings_file = folder / f"{case}.findings"
    if (folder / case).is_dir():
        shutil.copytree(folder / case / "input", project, dirs_exist_ok=True)
        before = _tree(project)
        expected = {**before, **_expected_tree(folder / case / "output")}
        findings_file = folder / case / "findings"
    else:
        settings = {}
        if (folder / f"{case}.toml").exists():
            settings = tomllib.loads((folder / f"{case}.toml").read_text(encoding="utf-8"))
        relpath = settings.get("relpath", f"app/{case}.py")
        if settings.get("options"):
            _write_options(project, transform, settings["options"])
        target = project / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        for package in target.relative_to(project).parents:
            if package.parts and settings.get("packages", True):
                (project / package / "__init__.py").touch()
        source = (folder / f"{case}.input.py").read_bytes()
        target.write_bytes(source)
        if (folder / "_context").is_dir() and settings.get("context", True):
            _copy_context(folder / "_context", project, relpath)
        before = _tree(project)
        output = folder / f"{case}.output.py"
        expected = {**before, relpath: output.read_bytes() if output.exists() else source}

    outcome = _run_once(project, transform)
    failures = [f"{r.path}: {r.error}" for r in outcome.results if r.status is Status.FAILED]
    assert not failures
    after = _tree(project)
    assert after == expected

    got = sorted((f.line, f.reason) for f in outcome.findings)
    wanted = _expected_findings(findings_file)
    assert len(got) == len(wanted), f"findings: {got}"
    for (line, reason), (want_line, want_reason) in zip(got, sorted(wanted)):
        assert line == want_line and want_reason in reason, f"findings: {got}"

    for name, data in after.items():
        if name.endswith(".py") and data != before.get(name):
            cst.parse_module(data)
            if compile_error(before.get(name, b"")) is None:
                compile(data, name, "exec")
            else:  # syntax newer than this Python: read as the analysis reads it
                assert parse(decode_source(data), Path(name)) is not None

    second = _run_once(project, transform)
    assert not [r.path for r in second.results if r.status is not Status.UNCHANGED and r.status is not Status.SKIPPED]
    assert _tree(project) == after
