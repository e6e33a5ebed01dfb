"""Run every transform over downloaded real projects and check the tool's promises.

For each pinned project (see ``realcode.py``) the package tree is copied into a
scratch git repository and committed; then, with the command line a user types:

1. ``run --diff --report`` records the diff;
2. ``run --report`` writes the changes (zero crashes: no file may fail with an
   "internal error"; files that are not valid Python are listed separately);
3. every written file parses with libcst and compiles when its original did;
4. ``run --check`` a second time changes nothing (idempotency);
5. the recorded diff, ``git apply``-ed to a clean clone, gives exactly the written tree.

It prints a summary of changed files and findings per transform (findings counted
by reason prefix). Used by hand and by ``tests/test_smoke.py`` (opt-in).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = REPO / "src"
sys.path[:0] = [str(HERE)]

from realcode import PROJECTS, default_cache, package_tree  # noqa: E402

GIT = ["git", "-c", "user.name=smoke", "-c", "user.email=smoke@example.com", "-c", "commit.gpgsign=false",
       "-c", "core.autocrlf=false"]


@dataclass
class SmokeResult:
    """What went wrong (the lists should be empty) and what the transforms did."""

    project: str
    files_scanned: int = 0
    crashes: list[str] = field(default_factory=list)
    unparsable_inputs: list[str] = field(default_factory=list)
    invalid_outputs: list[str] = field(default_factory=list)
    not_idempotent: list[str] = field(default_factory=list)
    diff_mismatches: list[str] = field(default_factory=list)
    exit_codes: dict[str, int] = field(default_factory=dict)
    changed_by_transform: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    findings_by_reason: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [*self.crashes, *self.invalid_outputs, *self.not_idempotent, *self.diff_mismatches]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    return env


def tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_codemods", *args],
        cwd=cwd, env=_env(), capture_output=True, stdin=subprocess.DEVNULL,
    )


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, check=True)


def reason_prefix(reason: str) -> str:
    """The stable head of a finding's reason: up to the first ':' or ';', at most 8 words."""
    head = re.split(r"[:;]", reason, maxsplit=1)[0]
    words = head.split()
    return " ".join(words[:8]) + (" ..." if len(words) > 8 else "")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def _compiles(data: bytes) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<smoke>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def smoke_project(name: str, cache: Path, work: Path, jobs: int | None = None) -> SmokeResult:
    import libcst as cst

    project = PROJECTS[name]
    package = package_tree(project, cache)
    repo = work / name / "repo"
    if repo.parent.exists():
        shutil.rmtree(repo.parent)
    shutil.copytree(package, repo / package.name)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "original", cwd=repo)
    original = _tree(repo)
    result = SmokeResult(project=project.requirement)
    job_args = ["-j", str(jobs)] if jobs else []

    diff_run = tool("run", "--diff", "--no-progress", *job_args, "--report", str(work / name / "diff.json"), ".", cwd=repo)
    result.exit_codes["diff"] = diff_run.returncode
    (work / name / "changes.diff").write_bytes(diff_run.stdout)

    write_run = tool("run", "--no-progress", *job_args, "--report", str(work / name / "write.json"), ".", cwd=repo)
    result.exit_codes["write"] = write_run.returncode
    report = json.loads((work / name / "write.json").read_text(encoding="utf-8"))
    result.files_scanned = sum(root["files_scanned"] for root in report["roots"])
    changed = collections.Counter()
    for entry in report["files"]:
        if entry["status"] == "failed":
            target = result.crashes if "internal error" in (entry["error"] or "") else result.unparsable_inputs
            target.append(f"{entry['path']}: {entry['error']}")
        if entry["status"] == "changed":
            changed.update(entry["transforms"])
            if entry["created"]:
                result.created.append(entry["path"])
    result.changed_by_transform = dict(sorted(changed.items()))
    by_reason: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for finding in report["findings"]:
        by_reason[finding["transform"]][reason_prefix(finding["reason"])] += 1
    result.findings_by_reason = {t: dict(c.most_common()) for t, c in sorted(by_reason.items())}

    written = _tree(repo)
    for path, data in sorted(written.items()):
        if not path.endswith(".py") or original.get(path) == data:
            continue
        try:
            cst.parse_module(data)
        except cst.ParserSyntaxError as error:
            result.invalid_outputs.append(f"{path}: does not parse: {error.message}")
            continue
        if (path not in original or _compiles(original[path])) and not _compiles(data):
            result.invalid_outputs.append(f"{path}: does not compile")

    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "fastapi-codemods", cwd=repo)
    second = tool("run", "--check", "--no-progress", *job_args, ".", cwd=repo)
    result.exit_codes["second check"] = second.returncode
    for line in second.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("would change: "):
            result.not_idempotent.append(f"{line.removeprefix('would change: ')}: changes again on a second run")

    clone = work / name / "applied"
    git("clone", "-q", str(repo), str(clone), cwd=work)
    git("checkout", "-q", "HEAD~1", cwd=clone)
    problem = apply_diff(work / name / "changes.diff", clone)
    if problem is not None:
        result.diff_mismatches.append(f"git apply failed: {problem}")
    else:
        # A clone holds only what git tracks: files the project's .gitignore names
        # (a template's .env) stay out of the comparison.
        tracked = set(git("ls-files", "-z", cwd=repo).stdout.decode("utf-8", "surrogateescape").split("\0")) - {""}
        got = _tree(clone)
        for path in sorted(set(got) | (set(written) & tracked)):
            if got.get(path) != written.get(path):
                result.diff_mismatches.append(f"{path}: --diff applied differs from what run wrote")
    return result


def apply_diff(diff: Path, checkout: Path) -> str | None:
    """``git apply`` the diff in ``checkout``: None, or git's error. An empty diff (no
    file would change) applies as nothing: git itself refuses it as "No valid patches"."""
    if not diff.read_bytes().strip():
        return None
    applied = subprocess.run([*GIT, "apply", "--whitespace=nowarn", str(diff)], cwd=checkout, capture_output=True, check=False)
    if applied.returncode == 0:
        return None
    return applied.stderr.decode("utf-8", "replace").strip()[:500]


def summary(results: Sequence[SmokeResult]) -> str:
    lines = []
    for result in results:
        lines += [f"### {result.project}", "",
                  f"- files scanned: {result.files_scanned}; exit codes: "
                  + ", ".join(f"{k} {v}" for k, v in result.exit_codes.items()),
                  f"- crashes (internal errors): {len(result.crashes)}; invalid outputs: {len(result.invalid_outputs)}; "
                  f"not idempotent: {len(result.not_idempotent)}; diff/write mismatches: {len(result.diff_mismatches)}",
                  f"- inputs that are not valid Python (reported, not crashes): {len(result.unparsable_inputs)}"]
        lines += [f"  - {problem}" for problem in [*result.problems, *result.unparsable_inputs]]
        lines += ["", "| transform | files changed | findings |", "| --- | ---: | ---: |"]
        for name in sorted(set(result.changed_by_transform) | set(result.findings_by_reason)):
            total = sum(result.findings_by_reason.get(name, {}).values())
            lines.append(f"| {name} | {result.changed_by_transform.get(name, 0)} | {total} |")
        if result.created:
            lines.append(f"\nCreated: {', '.join(result.created)}")
        for name, reasons in result.findings_by_reason.items():
            lines += ["", f"Findings of `{name}` by reason:", ""]
            lines += [f"- {count} × {reason}" for reason, count in reasons.items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="download cache (as for bench.py)")
    parser.add_argument("--projects", default=",".join(PROJECTS), help=f"comma-separated, from: {', '.join(PROJECTS)}")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new temporary folder)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="passed to fastapi-codemods")
    parser.add_argument("--output", type=Path, default=None, help="also write the summary to this file")
    args = parser.parse_args(argv)
    cache = (args.cache or default_cache()).expanduser().resolve()
    work = (args.work or Path(tempfile.mkdtemp(prefix="fastapi-codemods-smoke-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for name in [part.strip() for part in args.projects.split(",") if part.strip()]:
        print(f"smoke: {name} in {work / name}", file=sys.stderr)
        results.append(smoke_project(name, cache, work, args.jobs))
    text = summary(results)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 1 if any(result.problems for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
