"""The registry of transforms.

Each transform is one module in this package whose file name is its public name
(``--only``, ``--skip``, the fixtures folder, the README section). ``ORDER`` is the
one place that says in which order they run on a file's tree.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from fastapi_codemods.codemods._base import Transform

ORDER: tuple[str, ...] = (
    "print_to_logging",
    "setup_logging",
    "conditional_docs",
    "return_orm_objects",
    "background_tasks",
)


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
    module = importlib.import_module(f"{__name__}.{name}")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Transform)
        and value is not Transform
        and value.__module__ == module.__name__
    ]
    if len(classes) != 1:
        raise RuntimeError(f"transform module {name!r} must define exactly one Transform subclass")
    return classes[0]


def all_transforms() -> list[type[Transform]]:
    """Every registered transform, in run order."""
    return [load(name) for name in ORDER]


def select(only: list[str] | None, skip: list[str] | None) -> list[type[Transform]]:
    """The transforms to run; raises ValueError naming the valid names on a typo."""
    for name in [*(only or []), *(skip or [])]:
        if name not in ORDER:
            raise ValueError(f"unknown transform {name!r}; valid names: {', '.join(ORDER)}")
    chosen = [name for name in ORDER if (not only or name in only) and name not in (skip or [])]
    return [load(name) for name in chosen]
