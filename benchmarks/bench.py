"""Time fastapi-codemods against libcst's no-op codemod and ruff on real FastAPI code.

Run by hand (see the README's "Benchmarks" section); never part of the test suite.
Every command runs in a fresh measuring subprocess that reports its wall time, CPU
time and the peak RSS of the largest process in the tree it started
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the per-process peak, worker processes
included once they are reaped). Commands alternate within each repetition, so a
burst of load on a shared machine hits all of them rather than one, and every other
repetition runs them in reverse order, so that neither command of a pair always runs
first.

Each ratio is given three ways: of the medians; the median of the ratios within
each repetition (the two runs of a pair are seconds apart, so a machine whose speed
drifts over minutes slows both); and of the minimums.

Python commands run with a bytecode cache under the download cache (as an installed
package has its ``.pyc`` files), even where the environment sets
``PYTHONDONTWRITEBYTECODE``: otherwise every run compiles our modules again (about
0.1 s) while libcst's come compiled from its installation.

``audit-j1`` and ``audit-j2`` time ``fastapi-codemods audit`` (JSON to /dev/null)
on the same tree: the audit reads the code with ``ast`` only, so it must cost no
more than ``run --check`` there.

``ours-cached-j2`` times the second ``run --check`` on an unchanged tree: the
cache (``.fastapi_codemods_cache/`` in the tree) is filled by one unmeasured run
first; every other ``ours`` command passes ``--no-cache``, so they time a first
run. ``ruff-cached`` is ruff's own second run, its ``.ruff_cache`` filled the same
way; ``ruff`` passes ``--no-cache``.

``--baseline REV`` adds ``ours-j2@REV`` (and ``ours-cached-j2@REV`` when
``ours-cached-j2`` is timed): the same commands run from the sources of commit REV
of this repository (``git archive`` into the download cache), in the same
repetitions, with ``python -m fastapi_codemods`` since a commit's console script
may live elsewhere. Their ratios say whether a change made first runs slower.

``loop-j1`` and ``loop-j2`` time a pure-Python loop split over one and two
processes: the speedup this machine gives to two CPU-bound processes at that moment,
the ceiling for ours.

The scaling table runs on a root holding the package tree copied 1x, 2x and 4x as
separate sub-folders, plus a root holding one full copy and three copies of only
the files no transform's prefilter accepts: if time grows with candidate files and
not with all files, that last row stays close to the 1x row.
"""

from __future__ import annotations

import argparse
from importlib import metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = REPO / "src"
sys.path[:0] = [str(HERE), str(SRC)]

from realcode import PROJECTS, RealProject, default_cache, package_tree, python_files  # noqa: E402

MEASURE = r"""
import json, resource, subprocess, sys, time
command, cwd = json.loads(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
done = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
                  "returncode": done.returncode, "stderr_tail": done.stderr.decode("utf-8", "replace")[-600:]}))
"""

# The same CPU-bound work in one process or split over N: the machine's own speedup.
LOOP = r"""
import multiprocessing, sys
def spin(count):
    total = 0
    for number in range(count):
        total += number * number
if __name__ == "__main__":
    jobs, work = int(sys.argv[1]), 20_000_000
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(spin, [work // jobs] * jobs)
"""

# Exit codes that mean "ran to the end": ours 1 = changes found, ruff 1 = violations.
# audit 1 = some practice does not pass.
OK_CODES = {"ours": {0, 1}, "ours-cached": {0, 1}, "audit": {0, 1}, "libcst": {0}, "ruff": {0, 1},
            "ruff-cached": {0, 1}, "loop": {0}}
# Commands whose cache one unmeasured run fills before the series.
CACHED_KINDS = ("ours-cached", "ruff-cached")


# What the installed ``fastapi-codemods`` script runs (``python -m`` would add runpy's
# imports, which a user of the script does not pay), importable from the checkout.
OURS = [sys.executable, "-c", "from fastapi_codemods.main import main; main()"]


@dataclass(frozen=True)
class Tool:
    name: str
    kind: str
    jobs: int | None = None
    source: Path | None = None  # another commit's ``src`` (``--baseline``)

    def command(self, tree: Path) -> list[str] | None:
        if self.kind in ("ours", "ours-cached"):
            cache = ["--no-cache"] if self.kind == "ours" else []
            ours = OURS if self.source is None else [sys.executable, "-m", "fastapi_codemods"]
            return [*ours, "run", "--check", "--no-progress", *cache,
                    "-j", str(self.jobs), str(tree)]
        if self.kind == "audit":
            return [*OURS, "audit", "--format", "json", "-o", os.devnull,
                    "-j", str(self.jobs), str(tree)]
        if self.kind == "libcst":
            # --unified-diff prints instead of writing; the no-op never changes a file anyway.
            return [sys.executable, "-m", "libcst.tool", "codemod", "noop.NOOPCommand", "-j", str(self.jobs),
                    "--no-format", "--hide-progress", "--unified-diff=1", str(tree)]
        if self.kind == "loop":
            return [sys.executable, "-c", LOOP, str(self.jobs)]
        ruff = ruff_binary()
        cache = ["--no-cache"] if self.kind == "ruff" else []
        return None if ruff is None else [ruff, "check", "--select", "T201", *cache, "--quiet", str(tree)]


TOOLS = {
    "ours-j1": Tool("ours-j1", "ours", 1),
    "ours-j2": Tool("ours-j2", "ours", 2),
    "ours-cached-j2": Tool("ours-cached-j2", "ours-cached", 2),
    "audit-j1": Tool("audit-j1", "audit", 1),
    "audit-j2": Tool("audit-j2", "audit", 2),
    "libcst-j1": Tool("libcst-j1", "libcst", 1),
    "libcst-j2": Tool("libcst-j2", "libcst", 2),
    "ruff": Tool("ruff", "ruff"),
    "ruff-cached": Tool("ruff-cached", "ruff-cached"),
    "loop-j1": Tool("loop-j1", "loop", 1),
    "loop-j2": Tool("loop-j2", "loop", 2),
}


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_kb: int


def ruff_binary() -> str | None:
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.exists() else shutil.which("ruff")


def measuring_env(cache: Path, source: Path = SRC) -> dict[str, str]:
    """Our sources (or a baseline's) first on the path; bytecode cached under
    ``cache`` (see the docstring)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    return env


def measure(tool: Tool, tree: Path, env: dict[str, str]) -> Sample:
    command = tool.command(tree)
    assert command is not None
    if tool.source is not None:
        env = {**env, "PYTHONPATH": os.pathsep.join([str(tool.source), *env["PYTHONPATH"].split(os.pathsep)[1:]])}
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(command), str(tree)],
        env=env, capture_output=True, text=True, check=True,
    )
    data = json.loads(completed.stdout)
    if data["returncode"] not in OK_CODES[tool.kind]:
        print(f"warning: {tool.name} exited {data['returncode']}: {data['stderr_tail'].strip()[-300:]}",
              file=sys.stderr)
    return Sample(data["wall"], data["cpu"], data["maxrss_kb"])


def is_candidate(text: str) -> bool:
    """Whether any registered transform's prefilter accepts this file."""
    from fastapi_codemods.codemods import all_transforms

    return any(transform.matches_text(text) for transform in all_transforms())


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build_tree(package: Path, root: Path, full_copies: int, candidate_free_copies: int = 0) -> tuple[int, int]:
    """Fill ``root`` with copies of ``package``; returns (python files, candidate files)."""
    if root.exists():
        shutil.rmtree(root)
    files = candidates = 0
    for index in range(full_copies + candidate_free_copies):
        for source in python_files(package):
            text = source.read_text(encoding="utf-8", errors="replace")
            candidate = is_candidate(text)
            if index >= full_copies and candidate:
                continue
            _link_or_copy(source, root / f"copy{index}" / package.name / source.relative_to(package))
            files += 1
            candidates += candidate
    return files, candidates


def single_copy_tree(project: RealProject, cache: Path) -> tuple[Path, int, int]:
    """(root, files, candidates) of the tree holding one copy of ``project``'s package,
    the tree the main tables and the instruction counts run on."""
    root = cache / "trees" / project.name / "x1"
    files, candidates = build_tree(package_tree(project, cache), root, 1)
    return root, files, candidates


def run_series(tools: Sequence[Tool], tree: Path, repeat: int, warmup: int,
               env: dict[str, str]) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {tool.name: [] for tool in tools}
    for tool in tools:
        if tool.kind in CACHED_KINDS:
            measure(tool, tree, env)  # fills the cache: the series times second runs
    for round_number in range(warmup + repeat):
        for tool in tools if round_number % 2 == 0 else tools[::-1]:
            sample = measure(tool, tree, env)
            if round_number >= warmup:
                samples[tool.name].append(sample)
        label = "warm-up" if round_number < warmup else f"repetition {round_number - warmup + 1}/{repeat}"
        print(f"  {tree.name}: {label} done", file=sys.stderr)
    return samples


def median_wall(samples: list[Sample]) -> float:
    return statistics.median(sample.wall for sample in samples)


def machine_lines() -> list[str]:
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ruff = ruff_binary()
    ruff_version = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip() if ruff else "absent"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- nproc: {cores}; CPU: {cpu_model}",
        f"- Python {platform.python_version()} ({platform.system()} {platform.release()}); "
        f"libcst {metadata.version('libcst')}; {ruff_version}",
        f"- transforms: {', '.join(_transform_names())}",
        f"- load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
    ]


def _transform_names() -> list[str]:
    from fastapi_codemods.codemods import ORDER

    return list(ORDER)


def main_table(name: str, files: int, candidates: int, samples: dict[str, list[Sample]]) -> list[str]:
    lines = [
        f"### {name}: {files} files, {candidates} candidate files (pass some transform's prefilter)",
        "",
        "| command | median wall s | min s | files/s | median CPU s | peak RSS per process MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tool, runs in samples.items():
        wall = median_wall(runs)
        rate = "-" if tool.startswith("loop") else f"{files / wall:.0f}"
        lines.append(
            f"| {tool} | {wall:.2f} | {min(s.wall for s in runs):.2f} | {rate} | "
            f"{statistics.median(s.cpu for s in runs):.2f} | {max(s.maxrss_kb for s in runs) / 1024:.0f} |"
        )
    lines.append("")
    lines.extend(_ratios(samples))
    return lines


def _ratios(samples: dict[str, list[Sample]]) -> list[str]:
    medians = {tool: median_wall(runs) for tool, runs in samples.items()}
    baselines = [(tool, tool.partition("@")[0]) for tool in samples if "@" in tool]
    pairs = [
        *((ours, base, f"{ours} / {base}; target <= 1") for base, ours in baselines),
        ("ours-j2", "libcst-j2", "whole run / libcst no-op (-j 2); target <= 0.30"),
        ("ours-j1", "libcst-j1", "whole run / libcst no-op (-j 1)"),
        ("ours-j2", "ruff", "ours -j 2 / ruff T201"),
        ("ours-cached-j2", "ruff-cached", "cached second run / ruff's cached T201 second run; target <= 3"),
        ("ours-cached-j2", "ruff", "cached second run / ruff T201 --no-cache"),
        ("ours-cached-j2", "ours-j2", "cached second run / first run (-j 2)"),
        ("ours-j1", "ours-j2", "-j 1 / -j 2 speedup; target >= 1.6"),
        ("audit-j2", "ours-j2", "audit / run --check (-j 2); target <= 1.0"),
        ("audit-j1", "ours-j1", "audit / run --check (-j 1); target <= 1.0"),
        ("loop-j1", "loop-j2", "this machine's own 1 / 2 process speedup on a pure-Python loop (the ceiling)"),
    ]
    minimums = {tool: min(sample.wall for sample in runs) for tool, runs in samples.items()}
    # The ratio of the fastest runs too: as timeit's documentation puts it, slower
    # repetitions are typically other processes interfering, and a run on two cores
    # suffers that more than a run on one.
    lines = [
        f"- {label}: **{medians[a] / medians[b]:.2f}** (within repetitions: {_paired(samples[a], samples[b]):.2f}; "
        f"of the minimums: {minimums[a] / minimums[b]:.2f})"
        for a, b, label in pairs
        if a in medians and b in medians
    ]
    return lines + [""] if lines else []


def _paired(first: list[Sample], second: list[Sample]) -> float:
    """The median of ``first[i] / second[i]``: both ran in the same repetition."""
    return statistics.median(a.wall / b.wall for a, b in zip(first, second, strict=True))


def scaling_table(rows: list[tuple[str, int, int, dict[str, list[Sample]]]]) -> list[str]:
    tools = list(rows[0][3])
    ours = [tool for tool in tools if tool.startswith("ours")]
    header = ["tree", "files", "candidates", *(f"{t} s" for t in tools), *(f"{t} CPU s" for t in ours),
              *(f"{t} ms/candidate" for t in ours)]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    for label, files, candidates, samples in rows:
        cells = [label, str(files), str(candidates)]
        cells += [f"{median_wall(samples[t]):.2f}" for t in tools]
        cells += [f"{statistics.median(s.cpu for s in samples[t]):.2f}" for t in ours]
        cells += [f"{1000 * median_wall(samples[t]) / max(candidates, 1):.0f}" for t in ours]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def emit(lines: list[str], output: Path | None) -> None:
    """Print the Markdown tables, and write them to ``output`` if one was given."""
    text = "\n".join(lines)
    print(text)
    if output:
        output.write_text(text, encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="download cache (default: ~/.cache/fastapi-codemods-bench "
                        "or $FASTAPI_CODEMODS_BENCH_CACHE)")
    parser.add_argument("--projects", default="prefect,lnbits", help=f"comma-separated, from: {', '.join(PROJECTS)}")
    parser.add_argument("--repeat", type=int, default=5, help="measured repetitions per command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (default 1)")
    parser.add_argument("--tools", default="ours-j1,ours-j2,audit-j1,audit-j2,libcst-j2,ruff,loop-j1,loop-j2",
                        help=f"from: {', '.join(TOOLS)}")
    parser.add_argument("--scale-project", default="lnbits", help="project whose tree is copied for the scaling table")
    parser.add_argument("--scales", default="1,2,4", help="copies of the tree for the scaling table ('' to skip it)")
    parser.add_argument("--scale-tools", default="ours-j1,ours-j2,ruff", help="commands timed in the scaling table")
    parser.add_argument("--scale-repeat", type=int, default=3, help="repetitions per command in the scaling table")
    parser.add_argument("--output", type=Path, default=None, help="also write the Markdown tables to this file")
    parser.add_argument("--baseline", default=None, metavar="REV",
                        help="also time ours-j2 (and ours-cached-j2) from this commit's sources")
    return parser.parse_args(argv)


def _tools(names: str, baseline: tuple[str, Path] | None = None) -> list[Tool]:
    chosen = [TOOLS[name.strip()] for name in names.split(",") if name.strip()]
    if baseline is not None:
        rev, source = baseline
        chosen += [Tool(f"{tool.name}@{rev}", tool.kind, tool.jobs, source)
                   for tool in chosen if tool.name in ("ours-j2", "ours-cached-j2")]
    return [tool for tool in chosen if tool.command(Path(".")) is not None]


def baseline_sources(rev: str, cache: Path) -> tuple[str, Path]:
    """(short name, ``src`` folder) of commit ``rev``, unpacked once under ``cache``."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.strip()
    folder = cache / "baselines" / commit
    if not (folder / "src").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "src"], cwd=REPO, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return commit, folder / "src"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cache = (args.cache or default_cache()).expanduser().resolve()
    trees = cache / "trees"
    env = measuring_env(cache)
    baseline = baseline_sources(args.baseline, cache) if args.baseline else None
    started = time.time()
    out = ["## Machine", "", *machine_lines(), ""]
    for name in [part.strip() for part in args.projects.split(",") if part.strip()]:
        project = PROJECTS[name]
        root, files, candidates = single_copy_tree(project, cache)
        print(f"{project.requirement}: {files} files, {candidates} candidates", file=sys.stderr)
        samples = run_series(_tools(args.tools, baseline), root, args.repeat, args.warmup, env)
        out += main_table(f"{project.requirement} ({args.repeat} repetitions)", files, candidates, samples)

    scales = [int(part) for part in args.scales.split(",") if part.strip()]
    if scales:
        project = PROJECTS[args.scale_project]
        package = package_tree(project, cache)
        rows = []
        layouts = [(f"{n}x", n, 0) for n in scales] + [(f"1x + {max(scales) - 1}x non-candidates", 1, max(scales) - 1)]
        for label, full, free in layouts:
            root = trees / project.name / f"scale-{full}-{free}"
            files, candidates = build_tree(package, root, full, free)
            print(f"{project.requirement} {label}: {files} files, {candidates} candidates", file=sys.stderr)
            rows.append((label, files, candidates,
                         run_series(_tools(args.scale_tools), root, args.scale_repeat, args.warmup, env)))
        out += [f"### Scaling: {project.requirement} copied into sub-folders of one root "
                f"({args.scale_repeat} repetitions, median)", "", *scaling_table(rows)]

    out += [f"- load average at end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; "
            f"benchmark took {time.time() - started:.0f} s", ""]
    emit(out, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
