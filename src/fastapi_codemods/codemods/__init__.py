"""The registry of transforms.

Each transform is one module in this package, or one package when it has private
helpers of its own (the class then lives in its ``__init__.py``), whose name is its
public name (``--only``, ``--skip``, the fixtures folder, the README section).
``ORDER`` is the one place that says in which order they run on a file's tree.

Importing this package does not import libcst (about 0.6 s of every run here): the driver reads
the transforms' options and analysis passes from ``ANALYSIS_MODULES`` and starts the
project analysis in worker processes first, then loads the transforms while the
workers read the files.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi_codemods.analysis.filepasses import FilePass
    from fastapi_codemods.cst.transform import Transform

ORDER: tuple[str, ...] = (
    "print_to_logging",
    "setup_logging",
    "conditional_docs",
    "return_orm_objects",
    "background_tasks",
    "lifespan",
    "async_sleep",
    "production_server",
)

# The libcst-free module declaring each transform's ``OPTIONS`` and ``FILE_PASSES``
# (its class refers to them). It lives in ``analysis``, not in the transform's own
# package: importing a package's submodule runs its ``__init__``, which imports
# libcst. A transform missing here is imported to read them, which is correct but
# keeps its project analysis from starting before libcst loads (a registry test
# requires an entry for every transform that has either).
ANALYSIS_MODULES: dict[str, str] = {
    "print_to_logging": "fastapi_codemods.analysis.programs",
    "setup_logging": "fastapi_codemods.analysis.logging_plan",
    "conditional_docs": "fastapi_codemods.analysis.docs_gates",
    "return_orm_objects": "fastapi_codemods.analysis.dict_responses",
    "background_tasks": "fastapi_codemods.analysis.side_effects",
    "lifespan": "fastapi_codemods.analysis.event_handlers",
    "async_sleep": "fastapi_codemods.analysis.sleep_sites",
    "production_server": "fastapi_codemods.analysis.server_plan",
}


def discovered_names() -> set[str]:
    """Module names present in this package (private ``_x`` modules excluded)."""
    return {
        info.name
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    }


@cache
def load(name: str) -> type[Transform]:
    """Import transform ``name`` and return its class (named after its module)."""
    # Here, not at the top: the base class is the import of libcst.
    from fastapi_codemods.cst.transform import Transform

    module = importlib.import_module(f"{__name__}.{name}")
    # The module check first: on Python 3.10 an alias such as ``Sequence[X]`` passes
    # ``isinstance(value, type)`` and makes ``issubclass`` raise.
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and issubclass(value, Transform)
    ]
    if len(classes) != 1:
        raise RuntimeError(f"transform module {name!r} must define exactly one Transform subclass")
    return classes[0]


def all_transforms() -> list[type[Transform]]:
    """Every registered transform, in run order."""
    return [load(name) for name in ORDER]


def chosen_names(only: list[str] | None, skip: list[str] | None) -> list[str]:
    """The names of the transforms to run, in run order; raises ValueError naming the
    valid names on a typo."""
    for name in [*(only or []), *(skip or [])]:
        if name not in ORDER:
            raise ValueError(f"unknown transform {name!r}; valid names: {', '.join(ORDER)}")
    return [name for name in ORDER if (not only or name in only) and name not in (skip or [])]


def _declarations(name: str) -> ModuleType | type[Transform]:
    module = ANALYSIS_MODULES.get(name)
    return load(name) if module is None else importlib.import_module(module)


def options_of(name: str) -> Mapping[str, Any]:
    """Transform ``name``'s configuration keys and defaults (see `ANALYSIS_MODULES`)."""
    return _declarations(name).OPTIONS


def file_passes_of(name: str) -> tuple[FilePass, ...]:
    """Transform ``name``'s per-file analysis passes (see `ANALYSIS_MODULES`)."""
    return _declarations(name).FILE_PASSES
