"""Run ``fastapi-codemods audit`` on the pinned real projects and tabulate the verdicts.

For each project of ``realcode.py`` the audit runs on the unpacked distribution's
folder (package tree plus whatever packaging files the wheel or sdist carries, as a
user would run it at a repository's root) and the JSON report is kept beside the
table, so every piece of evidence can be read afterwards. Prints a Markdown table:
score, time, and per practice the verdict (P pass, F fail, A needs attention, - not
applicable) with its evidence count. Used by hand; never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realcode import PROJECTS, default_cache, package_tree  # noqa: E402

LETTERS = {"PASS": "P", "FAIL": "F", "NEEDS ATTENTION": "A", "NOT APPLICABLE": "-"}


def audit_project(name: str, cache: Path, output: Path, jobs: int) -> tuple[dict, float, int]:
    """(the JSON report, seconds, exit code) of one project's audit."""
    root = package_tree(PROJECTS[name], cache).parent
    report = output / f"{name}.json"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", "audit", "--format", "json", "-o", str(report),
         "-j", str(jobs), str(root)],
        capture_output=True, text=True, cwd=root,
    )
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1, 2) or not report.exists():
        raise SystemExit(f"{name}: audit failed ({completed.returncode}): {completed.stderr.strip()[:500]}")
    return json.loads(report.read_text(encoding="utf-8")), seconds, completed.returncode


def table(rows: list[tuple[str, dict, float, int]]) -> list[str]:
    header = "| project | score | s | exit | " + " | ".join(str(n) for n in range(1, 16)) + " |"
    lines = [header, "|---|---:|---:|---:|" + "---|" * 15]
    for name, report, seconds, code in rows:
        cells = [
            f"{LETTERS[p['verdict']]}{len(p['evidence']) or ''}" for p in report["practices"]
        ]
        lines.append(f"| {name} | {report['score']}/15 | {seconds:.1f} | {code} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default=",".join(PROJECTS), help=f"comma-separated, from: {', '.join(PROJECTS)}")
    parser.add_argument("--cache", type=Path, default=None, help="download cache (as bench.py)")
    parser.add_argument("--output", type=Path, required=True, help="folder for the JSON reports")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    cache = (args.cache or default_cache()).expanduser().resolve()
    args.output.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in [part.strip() for part in args.projects.split(",") if part.strip()]:
        report, seconds, code = audit_project(name, cache, args.output.resolve(), args.jobs)
        rows.append((PROJECTS[name].requirement, report, seconds, code))
        print(f"{name}: {report['score']}/15 in {seconds:.1f} s", file=sys.stderr)
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
