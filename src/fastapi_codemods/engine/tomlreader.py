"""The TOML reader of the running Python: tomllib, or tomli before 3.11.

A module of its own so that a run that reads no ``pyproject.toml`` does not import it.
"""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["tomllib"]
