"""Which files a run looks at: .gitignore (nested, above the root), excludes,
folders nobody wants rewritten, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fastapi_codemods.engine.discovery import find_git_root, iter_python_files


def make(root: Path, names: list[str]) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    return root


def found(root: Path, excludes=(), base: Path | None = None) -> list[str]:
    base = base or root
    return sorted(Path(os.path.relpath(p, base)).as_posix() for p in iter_python_files(root, excludes))


def test_skips_tool_folders_virtualenvs_and_non_python(tmp_path: Path) -> None:
    make(tmp_path, [
        "app/main.py", "app/notes.txt", "app/__pycache__/main.py", ".git/hooks/x.py", ".venv/lib/x.py",
        "venv/x.py", "env/pyvenv.cfg", "env/lib/x.py", "node_modules/x.py", "build/x.py", "dist/x.py",
        "lib/site-packages/x.py", "pkg.egg-info/x.py", ".tox/x.py", "z.py",
    ])
    assert found(tmp_path) == ["app/main.py", "z.py"]


def test_nested_gitignore_files_and_negation(tmp_path: Path) -> None:
    make(tmp_path, ["a.py", "gen_1.py", "sub/gen_2.py", "sub/keep_gen.py", "sub/deep/x.py", "sub/deep/secret.py"])
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*gen*.py\n")
    (tmp_path / "sub/.gitignore").write_text("!keep_gen.py\n")
    (tmp_path / "sub/deep/.gitignore").write_text("/secret.py\n")
    assert found(tmp_path) == ["a.py", "sub/deep/x.py", "sub/keep_gen.py"]
    (tmp_path / "sub/.gitignore").write_text("!gen_2.py\n")
    assert found(tmp_path) == ["a.py", "sub/deep/x.py", "sub/gen_2.py"]


def test_gitignore_above_a_relative_root_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, ["app/main.py", "app/local_settings.py", "app/migrations/0001.py"])
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("local_settings.py\napp/migrations/\n")
    monkeypatch.chdir(tmp_path / "app")
    assert found(Path("."), base=tmp_path / "app") == ["main.py"]
    monkeypatch.chdir(tmp_path / "app/migrations")
    assert found(Path(".."), base=tmp_path / "app") == ["main.py"]


def test_gitignore_outside_a_repository_is_read_from_the_root_down(tmp_path: Path) -> None:
    make(tmp_path, ["proj/a.py", "proj/tmp_x.py"])
    (tmp_path / ".gitignore").write_text("a.py\n")  # above the root, no repository: not ours
    (tmp_path / "proj/.gitignore").write_text("tmp_*.py\n")
    assert found(tmp_path / "proj") == ["a.py"]


def test_excludes_are_relative_to_their_folder(tmp_path: Path) -> None:
    make(tmp_path, ["app/main.py", "app/legacy_a.py", "app/migrations/1.py", "scripts/legacy_b.py", "other/legacy_c.py"])
    assert found(tmp_path, [(tmp_path, ["migrations/", "scripts/legacy_*.py"])]) == [
        "app/legacy_a.py", "app/main.py", "other/legacy_c.py",
    ]
    # the same anchored pattern, relative to a folder above the root
    assert found(tmp_path / "scripts", [(tmp_path, ["scripts/legacy_*.py"])]) == []
    assert found(tmp_path / "scripts", [(tmp_path / "scripts", ["scripts/legacy_*.py"])]) == ["legacy_b.py"]


def test_an_explicit_file_is_always_taken(tmp_path: Path) -> None:
    make(tmp_path, ["build/tool.txt"])
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / ".git").mkdir()
    assert list(iter_python_files(tmp_path / "build/tool.txt", [(tmp_path, ["*.txt"])])) == [tmp_path / "build/tool.txt"]


def test_find_git_root_accepts_relative_paths_and_git_files(tmp_path: Path, monkeypatch) -> None:
    make(tmp_path, ["repo/sub/x.py"])
    (tmp_path / "repo/.git").write_text("gitdir: elsewhere\n")  # a worktree or submodule
    monkeypatch.chdir(tmp_path / "repo/sub")
    assert find_git_root(Path(".")) == tmp_path / "repo"
    assert find_git_root(Path("x.py")) == tmp_path / "repo"
    assert find_git_root(tmp_path) is None
