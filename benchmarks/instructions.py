"""Count the instructions of ``run --check`` at ``-j 1`` and ``-j N``, per process.

Run by hand (see the README's "Benchmarks" section); it needs valgrind and takes
minutes, since callgrind runs Python about fifty times slower.

Why: on a shared virtual machine the wall-clock speedup of ``-j 2`` moves by tens of
percent within minutes (``bench.py``'s ``loop`` rows show the machine's own share of
that). Instruction counts hardly move: the same program on the same files executes
the same instructions whatever else the machine is doing (within about 3% here, as
memory addresses still vary the order of some sets). Two numbers follow from
them that the wall clock cannot settle there:

- the extra work of ``-j N``: all its processes' instructions over those of ``-j 1``
  (forks, pickling, anything done twice);
- the speedup the work's structure allows with N CPUs at full speed: ``-j 1``'s
  instructions over the longest path of ``-j N``.

callgrind writes one profile per process and, with ``--dump-before=_Fork``, cuts the
main process's profile at each fork (``cg.<pid>.1`` ends where the first worker is
forked; ``cg.<pid>`` is the part after the last fork). Workers forked with next to
no main-process work between them belong to one pool. The longest path is the main
process's part before the first fork, then, for each pool, the larger of its
busiest worker and the pool's work spread over N CPUs (its workers' instructions plus
the main process's work until the next pool), then nothing more. It is a bound: it
counts the main process's work while a pool runs as if it overlapped the workers,
and it ignores the time the kernel spends forking.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import emit, measuring_env, single_copy_tree
from realcode import PROJECTS, default_cache

# Main-process instructions between two forks below which the forks belong to one
# pool (about 85,000 are seen between a pool's workers; pools are billions apart).
SAME_POOL_GAP = 1_000_000

_SUMMARY = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)
_PROFILE = re.compile(r"^cg\.(\d+)(?:\.(\d+))?$")


@dataclass
class Profile:
    """One run's instructions: the main process cut at each fork, and each worker."""

    main_parts: list[int]  # before fork 1, between forks 1 and 2, ..., after the last fork
    workers: list[int]  # in the order they were forked

    @property
    def total(self) -> int:
        return sum(self.main_parts) + sum(self.workers)

    def pools(self) -> list[tuple[list[int], int]]:
        """(workers' instructions, main-process work until the next pool) per pool."""
        pools: list[tuple[list[int], int]] = []
        for index, worker in enumerate(self.workers):
            after = self.main_parts[index + 1]
            if pools and self.main_parts[index] < SAME_POOL_GAP:
                workers, main_work = pools[-1]
                pools[-1] = ([*workers, worker], main_work + after)
            else:
                pools.append(([worker], after))
        return pools

    def longest_path(self, cpus: int) -> int:
        """The bound described in the module docstring, with ``cpus`` CPUs."""
        path = self.main_parts[0]
        for workers, main_work in self.pools():
            path += max(max(workers), (sum(workers) + main_work) // cpus)
        return path


def _summary(path: Path) -> int:
    found = _SUMMARY.search(path.read_text(encoding="utf-8", errors="replace"))
    if found is None:
        raise RuntimeError(f"{path}: no instruction total (did the process end early?)")
    return int(found.group(1))


def read_profiles(folder: Path, main_pid: int) -> Profile:
    """The profiles callgrind wrote into ``folder`` for the run whose main pid is given."""
    parts: dict[int, int] = {}
    workers: dict[int, int] = {}
    for path in folder.iterdir():
        match = _PROFILE.match(path.name)
        if match is None:
            continue
        pid, part = int(match.group(1)), match.group(2)
        if pid == main_pid:
            # The part after the last fork has no number: it sorts last.
            parts[int(part) if part else sys.maxsize] = _summary(path)
        else:
            workers[pid] = _summary(path)
    if len(parts) != len(workers) + 1:
        raise RuntimeError(f"{folder}: {len(parts)} parts of the main process {main_pid} for {len(workers)} "
                           "other processes; every other process must be a forked worker (and the "
                           "C library must have _Fork, as glibc 2.34 and newer do)")
    return Profile([parts[key] for key in sorted(parts)], [workers[pid] for pid in sorted(workers)])


def count(tree: Path, jobs: int, env: dict[str, str], work: Path) -> Profile:
    folder = Path(tempfile.mkdtemp(prefix=f"j{jobs}-", dir=work))
    command = [
        "valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=_Fork",
        f"--callgrind-out-file={folder}/cg.%p",
        sys.executable, "-m", "fastapi_codemods", "run", "--check", "--no-progress", "--no-cache", "-j", str(jobs), str(tree),
    ]
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, stderr = process.communicate()
    if process.returncode not in (0, 1):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"-j {jobs} on {tree} exited {process.returncode}: {' / '.join(tail)}")
    return read_profiles(folder, process.pid)


def _billions(value: int) -> str:
    return f"{value / 1e9:.2f}"


def report(name: str, serial: Profile, parallel: Profile, jobs: int) -> list[str]:
    longest = parallel.longest_path(jobs)
    serial_row = ["-j 1", _billions(sum(serial.main_parts)), "-", _billions(serial.total), _billions(serial.total)]
    parallel_row = [
        f"-j {jobs}",
        f"{_billions(sum(parallel.main_parts))} (before the first fork: {_billions(parallel.main_parts[0])})",
        "; ".join(" + ".join(_billions(worker) for worker in workers) for workers, _ in parallel.pools()),
        _billions(parallel.total),
        _billions(longest),
    ]
    extra = 100 * (parallel.total / serial.total - 1)
    allowed = serial.total / longest
    return [
        f"### {name}: instructions (callgrind), billions",
        "",
        "| run | main process | workers, per pool | all processes | longest path |",
        "| --- | ---: | --- | ---: | ---: |",
        *("| " + " | ".join(row) + " |" for row in (serial_row, parallel_row)),
        "",
        f"- extra work of -j {jobs}: {extra:+.1f}% instructions",
        f"- speedup the structure allows with {jobs} CPUs at full speed: **{allowed:.2f}**",
        "",
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="download cache, as for bench.py")
    parser.add_argument("--projects", default="lnbits", help=f"comma-separated, from: {', '.join(PROJECTS)}")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run's -j (default 2)")
    parser.add_argument("--work", type=Path, default=None, help="where callgrind's profiles go (default: a "
                        "temporary folder, removed afterwards)")
    parser.add_argument("--output", type=Path, default=None, help="also write the Markdown tables to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("valgrind") is None:
        print("error: valgrind is not installed", file=sys.stderr)
        return 2
    cache = (args.cache or default_cache()).expanduser().resolve()
    env = measuring_env(cache)
    env["PYTHONHASHSEED"] = "0"  # the same string hashes, so the same dict and set orders, on every run
    work = args.work or Path(tempfile.mkdtemp(prefix="fastapi-codemods-instructions-"))
    work.mkdir(parents=True, exist_ok=True)
    out: list[str] = []
    try:
        for name in [part.strip() for part in args.projects.split(",") if part.strip()]:
            project = PROJECTS[name]
            root, files, _ = single_copy_tree(project, cache)
            print(f"{project.requirement}: {files} files, -j 1 then -j {args.jobs} under callgrind", file=sys.stderr)
            serial = count(root, 1, env, work)
            parallel = count(root, args.jobs, env, work)
            out += report(f"{project.requirement} ({files} files)", serial, parallel, args.jobs)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    emit(out, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
