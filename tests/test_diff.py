"""``--diff`` is byte-exact: ``git apply`` of it on a clean copy gives exactly what
``run`` writes (CRLF, BOM, cookie, missing final newline, created files, edited
non-Python files)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import WEB_APP, run_cli
from sample_transforms import CreateModule, EditRequirements, Flag, InsertTop

from fastapi_codemods.engine.driver import Mode, RunOptions, run
from fastapi_codemods.engine.report import colorize_diff, unified_diff

FILES = {
    "app/crlf.py": b"flagged()\r\nx = 1\r\n",
    "app/bom.py": b"\xef\xbb\xbfflagged()\n",
    "app/no_newline.py": b"x = 1\nflagged()",
    "app/latin1.py": b"# -*- coding: latin-1 -*-\ns = '\xe9'\nflagged()\n",
    "app/long.py": b"".join(b"line%d = %d\n" % (i, i) for i in range(30)) + b"flagged()\n" + b"".join(b"after%d = 1\n" % i for i in range(10)),
    "app/same.py": b"nothing = 1\n",
    "z/deep/x.py": b"y = flagged\n",
    "app/requirements.txt": b"\xef\xbb\xbffastapi\r\nuvicorn\r\n",
}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def make(folder: Path) -> Path:
    for name, data in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def git_apply(patch: bytes, cwd: Path) -> None:
    subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], input=patch, cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("in_git", [True, False], ids=["git_repo", "no_git"])
def test_git_apply_of_the_diff_equals_the_run(tmp_path: Path, monkeypatch, use_transforms, git_repo, in_git: bool) -> None:
    use_transforms(InsertTop, Flag, CreateModule, EditRequirements)
    written = make(tmp_path / "written")
    applied = make(tmp_path / "applied")
    if in_git:
        git_repo(written)
        git_repo(applied)
    monkeypatch.chdir(written)
    outcome = run(RunOptions(paths=[Path("app"), Path("z")], mode=Mode.DIFF, jobs=1))
    patch = unified_diff(outcome)
    run(RunOptions(paths=[Path("app"), Path("z")], jobs=1))
    git_apply(patch, applied)
    assert tree(applied) == tree(written)
    assert tree(written) != {name: data for name, data in FILES.items()}
    assert (written / "app/newpkg/created.py").read_bytes() == b"VALUE = 1\n"
    # an edited non-Python file: BOM and CRLF kept, an ordinary a/ b/ diff
    assert (written / "app/requirements.txt").read_bytes() == b"\xef\xbb\xbffastapi\r\nuvicorn\r\ngunicorn\r\n"
    assert b"--- a/app/requirements.txt\n+++ b/app/requirements.txt\n" in patch


def test_headers_order_and_byte_details(tmp_path: Path, monkeypatch, use_transforms) -> None:
    use_transforms(Flag, CreateModule)
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    patch = unified_diff(run(RunOptions(paths=[Path(".")], mode=Mode.DIFF, jobs=1)))
    headers = [line for line in patch.splitlines() if line.startswith(b"diff --git")]
    assert headers == sorted(headers)
    assert headers == [
        b"diff --git a/app/bom.py b/app/bom.py",
        b"diff --git a/app/crlf.py b/app/crlf.py",
        b"diff --git a/app/latin1.py b/app/latin1.py",
        b"diff --git a/app/long.py b/app/long.py",
        b"diff --git a/app/no_newline.py b/app/no_newline.py",
        b"diff --git a/newpkg/created.py b/newpkg/created.py",
        b"diff --git a/z/deep/x.py b/z/deep/x.py",
    ]
    assert b"--- a/app/crlf.py\n+++ b/app/crlf.py\n@@ -1,2 +1,2 @@\n-flagged()\r\n+done()\r\n x = 1\r\n" in patch
    assert b"-\xef\xbb\xbfflagged()\n+\xef\xbb\xbfdone()\n" in patch
    assert b"-s = '\xe9'" not in patch and b"-flagged()\n+done()\n" in patch
    assert b"-flagged()\n\\ No newline at end of file\n+done()\n\\ No newline at end of file\n" in patch
    assert b"@@ -28,7 +28,7 @@" in patch  # three lines of context
    assert (
        b"diff --git a/newpkg/created.py b/newpkg/created.py\nnew file mode 100644\n"
        b"--- /dev/null\n+++ b/newpkg/created.py\n@@ -0,0 +1 @@\n+VALUE = 1\n"
    ) in patch


def test_a_lone_carriage_return_is_line_content_for_git(tmp_path: Path, monkeypatch, use_transforms) -> None:
    use_transforms(Flag)
    written = tmp_path / "written"
    written.mkdir()
    (written / "cr.py").write_bytes(b"a = 1\rflagged()\n")
    applied = tmp_path / "applied"
    shutil.copytree(written, applied)
    monkeypatch.chdir(written)
    patch = unified_diff(run(RunOptions(paths=[Path("cr.py")], mode=Mode.DIFF, jobs=1)))
    assert patch.endswith(b"@@ -1 +1 @@\n-a = 1\rflagged()\n+a = 1\rdone()\n")
    run(RunOptions(paths=[Path("cr.py")], jobs=1))
    assert (written / "cr.py").read_bytes() == b"a = 1\rdone()\n"
    git_apply(patch, applied)
    assert tree(applied) == tree(written)


def test_colour_keeps_the_bytes_of_each_line() -> None:
    diff = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-caf\xe9\r\n+caf\xe8\r\n ctx\n"
    coloured = colorize_diff(diff)
    assert b"\x1b[31m-caf\xe9\x1b[0m\r\n" in coloured
    assert b"\x1b[32m+caf\xe8\x1b[0m\r\n" in coloured
    assert b" ctx\n" in coloured
    assert colorize_diff(diff).replace(b"\x1b[1m", b"").replace(b"\x1b[36m", b"").replace(b"\x1b[31m", b"").replace(
        b"\x1b[32m", b"").replace(b"\x1b[0m", b"") == diff


def test_cli_diff_of_print_to_logging_applies_to_what_run_writes(tmp_path: Path, git_repo) -> None:
    """The real transform end to end, whatever exact text it produces."""
    sources = {
        "app/crlf.py": b'def handler():\r\n    print("a")\r\n    return 1\r\n',
        "app/bom.py": b'\xef\xbb\xbfdef handler():\n    print("b")\n',
        "app/no_newline.py": b'def handler():\n    print("c")',
        # The web app running them, its logging showing their records.
        "app/webapp.py": WEB_APP.format(imports="import bom\nimport crlf\nimport no_newline").encode(),
    }
    for folder in ("written", "applied"):
        for name, data in sources.items():
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_bytes(data)
        git_repo(tmp_path / folder)
    diff = run_cli("run", "--diff", "--only", "print_to_logging", "app", cwd=tmp_path / "written")
    assert diff.returncode == 1, diff.stderr
    assert b"\x1b[" not in diff.stdout + diff.stderr
    assert tree(tmp_path / "written") == tree(tmp_path / "applied")
    written = run_cli("run", "--only", "print_to_logging", "app", cwd=tmp_path / "written")
    assert written.returncode == 0, written.stderr
    git_apply(diff.stdout, tmp_path / "applied")
    after = tree(tmp_path / "written")
    assert after == tree(tmp_path / "applied")
    assert after["app/crlf.py"].count(b"\n") == after["app/crlf.py"].count(b"\r\n") > 2
    assert after["app/bom.py"].startswith(b"\xef\xbb\xbf")
    assert not after["app/no_newline.py"].endswith(b"\n")


def test_git_apply_reproduces_random_byte_level_edits(tmp_path: Path) -> None:
    """Many seeded random old/new pairs with awkward bytes, one patch, one ``git apply``."""
    import random

    from fastapi_codemods.engine.driver import RunOutcome
    from fastapi_codemods.engine.results import FileResult, Status

    pieces = [
        b"x = 1", b"", b"    pass", b"-minus", b"+plus", b"\\ backslash", b" space", b"@@ -1 +1 @@",
        b"diff --git a/x b/x", b"caf\xe9", b"\xef\xbb\xbfbom", b"a\rb", b"tab\there", b"--- a/x", b"+++ b/x",
    ]
    endings = [b"\n", b"\n", b"\r\n", b"\r\r\n"]
    rng = random.Random(1234)

    def text() -> bytes:
        lines = [rng.choice(pieces) + rng.choice(endings) for _ in range(rng.randrange(0, 12))]
        data = b"".join(lines)
        return data.rstrip(b"\n") if rng.random() < 0.3 else data

    results, expected = [], {}
    (tmp_path / "before").mkdir()
    for index in range(60):
        name = f"f{index:02d}.py"
        old, new = text(), text()
        created = index % 10 == 0
        if created:
            old = b""
            new = new or b"x = 1\n"
        else:
            old = old or b"old\n"
            (tmp_path / "before" / name).write_bytes(old)
        if old == new:
            new += b"changed\n"
        results.append(FileResult(path=name, root=".", status=Status.CHANGED, old=old, new=new, created=created))
        expected[name] = new
    patch = unified_diff(RunOutcome(mode=Mode.DIFF, results=results, roots=[]))
    git_apply(patch, tmp_path / "before")
    assert tree(tmp_path / "before") == expected
