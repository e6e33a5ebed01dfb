"""Where the cache lives and when it is off: shared by the run cache (`cache`) and
the command records (`replay`), which must not import the former's dependencies.

A stamp taken within `RACY_NS` of a file's last change cannot be trusted: the file
may have been written again within the same clock tick (2 s on FAT), leaving its
stamp as it was. Both users read such a file again instead (git's index does the
same).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # pathlib is not imported by a replay (`replay`)
    from pathlib import Path

CACHE_DIR = ".fastapi_codemods_cache"
LAYOUT = "v1"
NO_CACHE_ENV = "FASTAPI_CODEMODS_NO_CACHE"
RACY_NS = 2_000_000_000
GITIGNORE = "# Created by fastapi-codemods automatically.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fastapi-codemods.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def disabled_by_environment() -> bool:
    """``FASTAPI_CODEMODS_NO_CACHE=1`` (or true/yes) works like ``--no-cache``."""
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("1", "true", "yes")


def ensure(folder: str | Path) -> None:
    """The cache folder with its ``.gitignore`` and ``CACHEDIR.TAG`` (written once)."""
    gitignore = os.path.join(folder, ".gitignore")
    if os.path.exists(gitignore):
        return
    os.makedirs(folder, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as stream:
            stream.write(text)


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write an entry through a temporary file moved into place, so that runs at
    once see the old entry or the new one, never half of one; a failure writes
    nothing (an entry missing is a miss)."""
    import tempfile  # only writing needs it

    folder = os.path.dirname(path)
    temp_name = None
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp_name, path)
    except OSError:
        if temp_name is not None:
            try:
                os.unlink(temp_name)
            except OSError:
                pass
