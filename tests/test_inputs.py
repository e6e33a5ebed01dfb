"""`engine.inputs`: globs answered from folder listings give what ``glob.glob`` gives."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from fastapi_codemods.engine.inputs import Inputs, Listings, still_hold

# Every pattern shape the analyses ask (see `Project.glob` callers), and a few more.
PATTERNS = ["*", "*.*", "*/", "*.sh", "Dockerfile", "Dockerfile.*", "requirements*.txt", "*.dist-info",
            "*.dist-info/METADATA", "sub/*.txt", ".*", "[Dd]ocker*", "missing/*", "?"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "odd [name]"
    for name in ("Dockerfile", "Dockerfile.dev", "run.sh", ".hidden.sh", "requirements.txt",
                 "requirements-dev.txt", "a", "sub/x.txt", "sub/.y.txt", "pkg-1.0.dist-info/METADATA",
                 "other.dist-info/RECORD", ".git/HEAD", "docker-compose.yml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    (folder / "linked").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "dangling").symlink_to(folder / "nowhere")
    return folder


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_glob_from_listings_is_the_stdlib_glob(tree: Path, pattern: str) -> None:
    expected = sorted(glob.glob(os.path.join(glob.escape(str(tree)), pattern)))
    assert Listings().glob(str(tree), pattern) == expected
    assert expected or pattern in ("missing/*",)  # the tree gives most patterns something to find


def test_noted_globs_miss_when_a_matching_file_appears(tree: Path) -> None:
    inputs = Inputs()
    inputs.glob(tree, "*.sh")
    inputs.glob(tree, "*/")
    notes = inputs.notes()
    assert still_hold(notes)
    (tree / "start.sh").write_text("uvicorn app:app\n")
    assert not still_hold(notes)


def test_noted_folder_globs_miss_when_a_folder_appears(tree: Path) -> None:
    inputs = Inputs()
    inputs.glob(tree, "*/")
    notes = inputs.notes()
    (tree / "new.txt").write_text("")  # not a folder: the answer holds
    assert still_hold(notes)
    (tree / "newdir").mkdir()
    assert not still_hold(notes)
