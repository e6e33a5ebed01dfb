"""Opt-in smoke run over downloaded real projects (``FASTAPI_CODEMODS_SMOKE=1``).

Downloads the pinned projects of ``benchmarks/realcode.py`` into the benchmark cache
(``~/.cache/fastapi-codemods-bench`` or ``$FASTAPI_CODEMODS_BENCH_CACHE``) and runs
``benchmarks/smoke.py``'s checks: no crash, every written file valid, a second run
changes nothing, the ``--diff`` output applies to exactly the written tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from realcode import PROJECTS, default_cache  # noqa: E402
from smoke import smoke_project, summary  # noqa: E402

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(os.environ.get("FASTAPI_CODEMODS_SMOKE") != "1", reason="set FASTAPI_CODEMODS_SMOKE=1 to run"),
]


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_project_keeps_every_promise(name: str, tmp_path: Path) -> None:
    result = smoke_project(name, default_cache(), tmp_path)
    assert result.files_scanned > 0
    assert not result.problems, summary([result])
    # Exit 2 is right only when some input is not valid Python (the tool names it and goes on).
    expected_exit = 2 if result.unparsable_inputs else 0
    assert result.exit_codes["write"] == expected_exit, summary([result])
    assert result.exit_codes["second check"] == expected_exit, summary([result])
