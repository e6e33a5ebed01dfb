"""JSON documents as text that is valid UTF-8 whatever the file names hold."""

from __future__ import annotations

import json
import re
from typing import Any

# A file name that is not valid UTF-8 reaches Python as a str with lone surrogates
# (``surrogateescape``); written as they are, the document is not UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(document: Any) -> str:
    """The document as indented JSON; lone surrogates as ``\\udcXX`` escapes (valid
    JSON text, read back by Python as the same name) instead of invalid bytes."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
