"""The benchmark's tree building, the instruction counts' bookkeeping and the smoke
run's finding summary (no timings, no valgrind)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import pytest  # noqa: E402
from bench import build_tree, is_candidate  # noqa: E402
from instructions import Profile, read_profiles  # noqa: E402
from smoke import reason_prefix  # noqa: E402


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
