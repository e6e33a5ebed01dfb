"""Kill a write run at write k, run again, compare with an uninterrupted run.

    python benchmarks/kill_rerun.py TREE [--sample N] [-- RUN_OPTIONS...]

TREE is copied (its own ``.git`` left out) and committed in a fresh repository for
every kill point. The run is the command line in a child process whose write hook
(`engine.writing.before_replace`) SIGKILLs it right before the replace of write k:
k files are written, the k+1-th is a temporary file. The rerun is the plain command
line. Each row says whether the tree after the rerun is byte-identical to the tree
of one uninterrupted run, and whether a temporary file is left. Used by
`tests/test_kill_rerun.py` and for the table in RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# The command line with a write hook that kills the process right before the
# replace of write number KILL_AT (0-based).
KILLING_CLI = """
import os, signal, sys
from fastapi_codemods.engine import writing
from fastapi_codemods.cli import main

kill_at = int(os.environ["KILL_AT"])
count = [0]

def hook(name):
    if count[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    count[0] += 1

writing.before_replace = hook
sys.argv[0] = "fastapi-codemods"
main()
"""

IGNORED = {".git", ".fastapi_codemods_cache"}


@dataclass(frozen=True)
class Row:
    kill_at: int
    killed: bool  # the kill happened (k below the number of writes)
    converged: bool
    temp_left: bool
    rerun_code: int


def env() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), environment.get("PYTHONPATH")]))
    environment.setdefault("FASTAPI_CODEMODS_NO_CACHE", "1")
    return environment


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=k", "-c", "user.email=k@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=folder, check=True, capture_output=True)


def fresh_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "tree", "--no-verify")
    return target


def run_cli(tree: Path, options: list[str], kill_at: int | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = env()
    if kill_at is None:
        command = [sys.executable, "-m", "fastapi_codemods"]
    else:
        command = [sys.executable, "-c", KILLING_CLI]
        environment["KILL_AT"] = str(kill_at)
    return subprocess.run([*command, "run", "--no-progress", *options, "."], cwd=tree, env=environment,
                          capture_output=True, stdin=subprocess.DEVNULL)


def snapshot(tree: Path) -> dict[str, bytes]:
    files = {}
    for folder, dirs, names in os.walk(tree):
        dirs[:] = [name for name in dirs if name not in IGNORED]
        for name in names:
            path = Path(folder, name)
            files[path.relative_to(tree).as_posix()] = path.read_bytes() if not path.is_symlink() else b"->"
    return files


def temp_files(tree: Path) -> list[str]:
    return [name for name in snapshot(tree) if ".fastapi-codemods-" in name]


def reference(source: Path, work: Path, options: list[str]) -> tuple[dict[str, bytes], int]:
    """The tree after one uninterrupted run, and how many files it wrote."""
    tree = fresh_copy(source, work / "reference")
    before = snapshot(tree)
    completed = run_cli(tree, options)
    after = snapshot(tree)
    writes = sum(1 for name, data in after.items() if before.get(name) != data)
    if completed.returncode not in (0, 2):
        raise RuntimeError(completed.stderr.decode())
    return after, writes


def kill_and_rerun(source: Path, work: Path, options: list[str], kill_at: int,
                   expected: dict[str, bytes]) -> Row:
    tree = fresh_copy(source, work / f"kill{kill_at}")
    killed = run_cli(tree, options, kill_at=kill_at).returncode == -9
    rerun = run_cli(tree, options)
    temp_left = bool(temp_files(tree))
    converged = snapshot(tree) == expected
    shutil.rmtree(tree)
    return Row(kill_at, killed, converged, temp_left, rerun.returncode)


def table(source: Path, options: list[str], kill_points: list[int] | None = None,
          sample: int | None = None) -> tuple[int, list[Row]]:
    with tempfile.TemporaryDirectory(prefix="kill-rerun-") as folder:
        work = Path(folder)
        expected, writes = reference(source, work, options)
        if kill_points is None:
            kill_points = list(range(writes))
            if sample is not None and sample < writes:
                step = writes / sample
                kill_points = sorted({int(index * step) for index in range(sample)} | {writes - 1})
        return writes, [kill_and_rerun(source, work, options, k, expected) for k in kill_points]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--sample", type=int, help="kill at this many write indices, evenly spread")
    argv = sys.argv[1:]
    options = argv[argv.index("--") + 1:] if "--" in argv else []
    arguments = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    writes, rows = table(arguments.tree.resolve(), options, sample=arguments.sample)
    print(f"{arguments.tree}: {writes} files written by an uninterrupted run")
    print("| kill at write | killed | rerun exit | tree = uninterrupted run | temporary file left |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.kill_at} | {'yes' if row.killed else 'no'} | {row.rerun_code} | "
              f"{'yes' if row.converged else 'NO'} | {'YES' if row.temp_left else 'no'} |")


if __name__ == "__main__":
    main()
