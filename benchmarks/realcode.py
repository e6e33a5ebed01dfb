"""Pinned real FastAPI code from PyPI, downloaded once into a cache outside the repo.

The benchmark and the smoke run both need the same real projects. They are fetched
with ``pip download --no-deps`` (a wheel or an sdist, whichever pip picks), unpacked
into the cache, and only the package tree is used. Third-party code never enters the
repository: the cache defaults to ``~/.cache/fastapi-codemods-bench`` and can be moved
with ``--cache`` or the ``FASTAPI_CODEMODS_BENCH_CACHE`` environment variable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "FASTAPI_CODEMODS_BENCH_CACHE"


@dataclass(frozen=True)
class RealProject:
    """A pinned distribution and the top-level package taken from it."""

    name: str
    requirement: str
    package: str


PROJECTS: dict[str, RealProject] = {
    project.name: project
    for project in (
        # Prefect's server is a large FastAPI application (about 860 files).
        RealProject("prefect", "prefect==3.9.1", "prefect"),
        # LNbits: a FastAPI app with routers, settings and background work.
        RealProject("lnbits", "lnbits==1.6.2", "lnbits"),
        # Smaller and differently built apps, for the smoke run (bench.py times the two above).
        RealProject("fastapi-users", "fastapi-users==15.0.5", "fastapi_users"),  # a library of routers
        RealProject("open-webui", "open-webui==0.12.4", "open_webui"),  # prints, a main app, many routers
        RealProject("khoj", "khoj==1.42.10", "khoj"),  # an app chosen at run time
        RealProject("skyvern", "skyvern==1.0.56", "skyvern"),  # about 1,200 files in its package
        RealProject("opal-server", "opal-server==0.9.9", "opal_server"),  # awaited side effects in routes
        RealProject("docling-serve", "docling-serve==1.38.2", "docling_serve"),  # docs URLs set by the project
        # A project generator: its cookiecutter templates are not valid Python (reported, not crashes).
        RealProject("fastapi-template", "fastapi_template==6.1.2", "fastapi_template"),
        RealProject("litellm", "litellm==1.110.2", "litellm"),  # a proxy server in a 3,100-file package
        # A trading bot whose argparse commands print their results from other modules.
        RealProject("freqtrade", "freqtrade==2026.9", "freqtrade"),
        RealProject("argilla-server", "argilla-server==2.8.0", "argilla_server"),
        RealProject("lightrag", "lightrag-hku==1.5.7", "lightrag"),  # prints in gunicorn hooks
    )
}


def default_cache() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path("~/.cache/fastapi-codemods-bench").expanduser()


def package_tree(project: RealProject, cache: Path) -> Path:
    """The unpacked package folder of ``project``, downloading it on first use."""
    unpacked = cache / "unpacked" / project.requirement
    if not (unpacked / ".complete").exists():
        archive = _download(project, cache / "downloads" / project.requirement)
        if unpacked.exists():
            shutil.rmtree(unpacked)
        unpacked.mkdir(parents=True)
        _unpack(archive, unpacked)
        (unpacked / ".complete").touch()
    return _find_package(unpacked, project.package)


def _download(project: RealProject, folder: Path) -> Path:
    existing = _archives(folder)
    if existing:
        return existing[0]
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", project.requirement, "-d", str(folder)],
        check=True,
    )
    archives = _archives(folder)
    if not archives:
        raise RuntimeError(f"pip download {project.requirement} produced no wheel or sdist in {folder}")
    return archives[0]


def _archives(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))


def _unpack(archive: Path, target: Path) -> None:
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    else:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)


def _find_package(unpacked: Path, package: str) -> Path:
    """The shallowest ``package/__init__.py`` (wheel root, sdist ``src/`` or top level)."""
    candidates = sorted(
        (init.parent for init in unpacked.rglob(f"{package}/__init__.py")),
        key=lambda folder: len(folder.parts),
    )
    if not candidates:
        raise RuntimeError(f"no package {package!r} found under {unpacked}")
    return candidates[0]


def python_files(tree: Path) -> list[Path]:
    return sorted(tree.rglob("*.py"))
