"""The project analysis gives the same facts whether its per-file passes run in
worker processes or in the main process.

The project here is every fixture input of every transform plus the example app,
laid out as one package, so that each pass meets the cases it was written for.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
from pathlib import Path

import pytest

from fastapi_codemods import codemods
from fastapi_codemods.analysis import side_effects
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.program_model import PROGRAM_FACTS
from fastapi_codemods.codemods import all_transforms
from fastapi_codemods.engine import driver, workerpool
from fastapi_codemods.engine.driver import Mode, RunOptions, UsageError, plan_root, run

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parent.parent / "examples"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes are forked on Linux")


@pytest.fixture
def mixed_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fixture inputs and the example app in one root; analysis in workers from 1 file on."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    package = root / "cases"
    for source in sorted(FIXTURES.glob("*/*.input.py")):
        target = package / source.parent.name / source.name.replace(".input.py", ".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "__init__.py").touch()
        shutil.copyfile(source, target)
    (package / "__init__.py").touch()
    (package / "broken.py").write_text("def (:\n")
    (package / "latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nprint('\xe9')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(driver, "PARALLEL_ANALYSIS_MIN_FILES", {"fork": 1, "spawn": 1})
    return root


def test_every_pass_is_declared_by_its_transform_and_named_once() -> None:
    passes = [file_pass for transform in all_transforms() for file_pass in transform.FILE_PASSES]
    assert passes, "no transform declares a per-file pass"
    assert all(isinstance(file_pass, FilePass) for file_pass in passes)
    # The program model's pass is shared (one object, run once); every other is a transform's own.
    own = [file_pass for file_pass in passes if file_pass is not PROGRAM_FACTS]
    assert len({file_pass.name for file_pass in own}) == len(own)
    for transform in all_transforms():
        assert all(file_pass.name.startswith(f"{transform.NAME}.") for file_pass in transform.FILE_PASSES
                   if file_pass is not PROGRAM_FACTS)


def test_facts_are_the_same_from_workers_and_from_the_main_process(mixed_project: Path) -> None:
    serial, _ = plan_root(mixed_project, RunOptions(paths=[mixed_project], jobs=1))
    parallel, project = plan_root(mixed_project, RunOptions(paths=[mixed_project], jobs=2))
    assert project._computed, "the passes did not run in workers"
    assert set(parallel.facts) == {transform.NAME for transform in all_transforms()}
    for name, facts in serial.facts.items():
        assert parallel.facts[name] == facts, name


def test_a_run_gives_the_same_results_with_the_analysis_in_workers(mixed_project: Path) -> None:
    serial = run(RunOptions(paths=[mixed_project], mode=Mode.DIFF, jobs=1))
    parallel = run(RunOptions(paths=[mixed_project], mode=Mode.DIFF, jobs=2))
    assert any(result.new for result in serial.results), "nothing to compare: no file changed"
    assert serial.findings, "nothing to compare: no finding"
    assert parallel.results == serial.results


def test_a_pass_failing_in_a_worker_is_the_transforms_analysis_error(
    mixed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object) -> bool:
        raise ValueError("boom")

    # Set before the workers fork: they inherit it.
    monkeypatch.setattr(side_effects, "_may_move_or_report", crash)
    with pytest.raises(UsageError, match=r"internal error in background_tasks while analysing .*ValueError: boom"):
        plan_root(mixed_project, RunOptions(paths=[mixed_project], jobs=2))


def test_the_transforms_load_while_the_workers_read_the_project(
    mixed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers_running = []
    real_load = codemods.load

    def load(name: str) -> type:
        workers_running.append(bool(multiprocessing.active_children()))
        return real_load(name)

    monkeypatch.setattr(codemods, "load", load)
    plan, _ = plan_root(mixed_project, RunOptions(paths=[mixed_project], jobs=2))
    assert [transform.NAME for transform in plan.transforms] == list(codemods.ORDER)
    assert workers_running == [True] * len(codemods.ORDER)


def test_a_transform_failing_to_load_stops_the_workers(mixed_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def load(name: str) -> type:
        raise ImportError(f"cannot load {name}")

    monkeypatch.setattr(codemods, "load", load)
    with pytest.raises(UsageError, match="ImportError: cannot load print_to_logging"):
        plan_root(mixed_project, RunOptions(paths=[mixed_project], jobs=2))
    assert multiprocessing.active_children() == []


def test_a_run_gives_the_same_results_with_spawned_workers(mixed_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows spawn workers: they import the transforms afresh and get the
    plan pickled, yet must compute exactly what forked workers compute."""
    forked = run(RunOptions(paths=[mixed_project], mode=Mode.DIFF, jobs=2))
    monkeypatch.setattr(workerpool, "start_method", lambda: "spawn")
    spawned = run(RunOptions(paths=[mixed_project], mode=Mode.DIFF, jobs=2))
    assert any(result.new for result in forked.results), "nothing to compare: no file changed"
    assert spawned.results == forked.results
