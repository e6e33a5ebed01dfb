"""The text of the logging module that the ``setup_logging`` transform creates.

One template (``templates/logging_config.py.txt``, shipped as package data) with two
formatters: python-json-logger's when the project already depends on it, else a few
lines of standard library, so that no new dependency is forced on the project.
Both renderings are black-formatted (a test checks it).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

_STDLIB_IMPORTS = """\
import json
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any
"""

_JSONLOGGER_IMPORTS = """\
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter"""

_STDLIB_FORMATTER = '''
# Attributes every LogRecord has; any other attribute came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on a single line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(
                record.created, tz=timezone.utc
            ).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
'''

_JSONLOGGER_SET_FORMATTER = """\
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )
    )"""


@cache
def _template() -> Template:
    text = (
        resources.files(__package__).joinpath("templates", "logging_config.py.txt").read_text("utf-8")
    )
    return Template(text)


def render(use_jsonlogger: bool, level_env: str) -> str:
    """The module's source; ``level_env`` must be a valid environment variable name."""
    if use_jsonlogger:
        parts = {"imports": _JSONLOGGER_IMPORTS, "formatter": "", "set_formatter": _JSONLOGGER_SET_FORMATTER}
    else:
        parts = {
            "imports": _STDLIB_IMPORTS,
            "formatter": _STDLIB_FORMATTER,
            "set_formatter": "    handler.setFormatter(JsonFormatter())",
        }
    text = _template().substitute(level_env=level_env, **parts)
    # The jsonlogger variant has no formatter block: drop the blank lines it leaves.
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text
