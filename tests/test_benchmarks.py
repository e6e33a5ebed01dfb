"""The benchmark's tree building and the smoke run's finding summary (no timings)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from bench import build_tree, is_candidate  # noqa: E402
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
