"""Lines for people on stdout and stderr, coloured when asked.

The report writes through here rather than through click: a run answered from the
cache is mostly interpreter start-up and imports, and click's import alone was a
fifth of it. Colour is decided by the caller (``--color``, else whether the stream is
a terminal), so a line is styled or not when it is made; nothing is stripped later.
"""

from __future__ import annotations

import sys
from typing import TextIO

_COLORS = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    """``text`` in ANSI colour ``fg`` and/or bold."""
    codes = ([str(_COLORS[fg])] if fg else []) + (["1"] if bold else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text


def echo(text: str = "", err: bool = False, file: TextIO | None = None) -> None:
    """Write one line and flush it (so that stdout and stderr lines keep their order
    on a terminal). A character the stream's encoding cannot hold (a file name that
    is not valid UTF-8) is written replaced, never raised."""
    stream = file if file is not None else sys.stderr if err else sys.stdout
    line = text + "\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(line.encode(encoding, "replace").decode(encoding))
    stream.flush()
