"""Source text and stdlib ``ast`` for the project analysis, decided the same way in
the main process and in the analysis workers."""

from __future__ import annotations

import ast
import tokenize
import warnings
from io import BytesIO
from pathlib import Path


def decode(data: bytes) -> str | None:
    """The text by the file's declared encoding (PEP 263), or None when it cannot be decoded."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def parse(text: str, path: Path) -> ast.Module | None:
    """The stdlib ``ast``, or None for code this interpreter cannot parse (newer
    syntax, Python 2, not Python at all); its warnings are not the user's concern here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError):
        return None
