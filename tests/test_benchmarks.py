"""The benchmark's tree building, run order and ratios, the instruction counts'
bookkeeping and the smoke run's finding summary (no timings, no valgrind)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench  # noqa: E402
import pytest  # noqa: E402
from bench import TOOLS, Sample, build_tree, is_candidate  # noqa: E402
from instructions import Profile, read_profiles  # noqa: E402
from smoke import GIT, apply_diff, reason_prefix  # noqa: E402


def test_scaled_tree_holds_copies_and_candidate_free_copies(tmp_path: Path) -> None:
    package = tmp_path / "src" / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub" / "talk.py").write_text('print("hi")\n', encoding="utf-8")
    assert is_candidate('print("hi")\n')

    files, candidates = build_tree(package, tmp_path / "root", full_copies=2, candidate_free_copies=1)

    found = sorted(p.relative_to(tmp_path / "root").as_posix() for p in (tmp_path / "root").rglob("*.py"))
    empty_is_candidate = is_candidate("")
    expected = ["copy0/pkg/__init__.py", "copy0/pkg/sub/talk.py", "copy1/pkg/__init__.py", "copy1/pkg/sub/talk.py"]
    if not empty_is_candidate:
        expected.append("copy2/pkg/__init__.py")
    assert found == expected
    assert (files, candidates) == (len(expected), 2 + 2 * empty_is_candidate)


def test_every_other_repetition_runs_the_commands_in_reverse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran: list[str] = []

    def fake_measure(tool: bench.Tool, tree: Path, env: dict[str, str]) -> Sample:
        ran.append(tool.name)
        return Sample(wall=1.0, cpu=1.0, maxrss_kb=1)

    monkeypatch.setattr(bench, "measure", fake_measure)
    tools = [TOOLS["ours-j1"], TOOLS["ours-j2"], TOOLS["loop-j1"]]

    samples = bench.run_series(tools, tmp_path, repeat=2, warmup=1, env={})

    assert ran == ["ours-j1", "ours-j2", "loop-j1", "loop-j1", "ours-j2", "ours-j1", "ours-j1", "ours-j2", "loop-j1"]
    assert {name: len(runs) for name, runs in samples.items()} == {"ours-j1": 2, "ours-j2": 2, "loop-j1": 2}


def test_ratios_are_given_of_the_medians_within_repetitions_and_of_the_minimums() -> None:
    # The machine slows down over the run: each repetition's pair slows together.
    one = [Sample(wall, wall, 1) for wall in (2.0, 4.0, 6.0)]
    two = [Sample(wall, wall, 1) for wall in (1.0, 2.5, 3.0)]

    lines = bench._ratios({"ours-j1": one, "ours-j2": two})

    assert lines == ["- -j 1 / -j 2 speedup; target >= 1.6: **1.60** (within repetitions: 2.00; of the minimums: 2.00)", ""]


def test_the_smoke_run_applies_a_diff_and_takes_an_empty_one_as_no_change(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run([*GIT, "init", "-q"], cwd=checkout, check=True)
    (checkout / "a.py").write_text("x = 1\n", encoding="utf-8")
    empty, good, stale = tmp_path / "empty.diff", tmp_path / "good.diff", tmp_path / "stale.diff"
    empty.write_bytes(b"")
    patch = "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-{old}\n+x = 2\n"
    good.write_text(patch.format(old="x = 1"), encoding="utf-8")
    stale.write_text(patch.format(old="x = 0"), encoding="utf-8")

    assert apply_diff(empty, checkout) is None
    assert apply_diff(stale, checkout) is not None
    assert (checkout / "a.py").read_text(encoding="utf-8") == "x = 1\n"
    assert apply_diff(good, checkout) is None
    assert (checkout / "a.py").read_text(encoding="utf-8") == "x = 2\n"


def test_findings_are_grouped_by_the_head_of_their_reason() -> None:
    assert reason_prefix("print() in a CLI script: kept") == "print() in a CLI script"
    assert reason_prefix("one two three four five six seven eight nine; ten") == (
        "one two three four five six seven eight ..."
    )


def _write_profile(folder: Path, name: str, instructions: int) -> None:
    (folder / name).write_text(f"# callgrind format\nevents: Ir\nsummary: {instructions}\n", encoding="utf-8")


def test_main_process_parts_are_read_in_fork_order_and_workers_in_pid_order(tmp_path: Path) -> None:
    # Parts 1..3 end at the three forks; the unnumbered part comes after the last one.
    for name, instructions in [("cg.100.1", 10), ("cg.100.2", 1), ("cg.100.3", 30), ("cg.100", 5),
                               ("cg.103", 70), ("cg.101", 40), ("cg.102", 60), ("unrelated.txt", 0)]:
        _write_profile(tmp_path, name, instructions)

    profile = read_profiles(tmp_path, main_pid=100)

    assert profile.main_parts == [10, 1, 30, 5]
    assert profile.workers == [40, 60, 70]
    assert profile.total == 216


def test_a_run_with_a_process_that_is_not_a_forked_worker_is_refused(tmp_path: Path) -> None:
    _write_profile(tmp_path, "cg.100", 10)
    _write_profile(tmp_path, "cg.101", 40)  # no fork of the main process made it

    with pytest.raises(RuntimeError, match="must be a forked worker"):
        read_profiles(tmp_path, main_pid=100)


def test_workers_forked_back_to_back_form_one_pool_and_bound_the_longest_path() -> None:
    # Start 500M, two analysis workers 85K apart, 2,700M of main-process work, two file
    # workers, 80M at the end.
    profile = Profile(
        main_parts=[500_000_000, 85_000, 2_700_000_000, 82_000, 80_000_000],
        workers=[2_500_000_000, 2_400_000_000, 3_600_000_000, 2_900_000_000],
    )

    pools = profile.pools()

    assert pools == [([2_500_000_000, 2_400_000_000], 2_700_085_000), ([3_600_000_000, 2_900_000_000], 80_082_000)]
    # Pool 1: its work spread over 2 CPUs (3,800M) exceeds its busiest worker; pool 2:
    # the busiest worker (3,600M) exceeds the spread work (3,290M).
    assert profile.longest_path(2) == 500_000_000 + 3_800_042_500 + 3_600_000_000
