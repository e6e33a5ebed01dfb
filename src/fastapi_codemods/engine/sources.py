"""Source bytes to text, and text to stdlib ``ast``: decided the same way for the
files a transform rewrites, the project analysis and its worker processes."""

from __future__ import annotations

import ast
import errno
import os
import stat
import tokenize
import warnings
from io import BytesIO
from pathlib import Path


def read_regular(path: Path | str, follow_symlinks: bool = True) -> bytes:
    """The bytes of ``path``, which must be a regular file.

    A FIFO or a device named like a project file (``requirements.txt``) would block
    ``open`` or ``read`` forever: it is opened without blocking, checked with
    ``fstat`` on the descriptor actually opened (no race with a rename), and refused.
    ``follow_symlinks=False`` refuses a symlink too (ELOOP), for a file that is about
    to be replaced. Raises OSError.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            # EINVAL: reading does not apply to this kind of file.
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks = []
        while chunk := os.read(descriptor, max(status.st_size + 1, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_regular_text(path: Path | str) -> str:
    """`read_regular` decoded as UTF-8 (bad bytes replaced): configuration and ignore
    files."""
    return read_regular(path).decode("utf-8", "replace")


def decode_source(data: bytes) -> str:
    """The text of a source file, as Python would decode it (cookie, BOM, else UTF-8).

    Raises ValueError with a message naming the line of the first bad byte.
    """
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" not in str(error):
            raise ValueError(f"cannot decode: {error}") from None
        # The first two lines are not UTF-8: decoding them says where.
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except LookupError as error:
        raise ValueError(f"cannot decode: {error}") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(
            f"cannot decode as {error.encoding} at line {line}: byte {data[error.start]:#04x} at offset {error.start}"
        ) from None


def encoding_of(data: bytes) -> str:
    """The codec `decode_source` decodes ``data`` with (``utf-8-sig`` keeps a BOM when
    encoding back)."""
    try:
        return tokenize.detect_encoding(BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def decode(data: bytes) -> str | None:
    """`decode_source`, with None for bytes that cannot be decoded."""
    try:
        return decode_source(data)
    except ValueError:
        return None


def parse(text: str, path: Path) -> ast.Module | None:
    """The stdlib ``ast``, or None for code this interpreter cannot parse (newer
    syntax, Python 2, not Python at all); its warnings are not the user's concern here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # MemoryError: CPython's parser on 10,000 nested ``not``.
        return None


def python_syntax_error(text: str) -> str | None:
    """One line naming where and why CPython rejects ``text`` ("syntax error at line
    3: ...", with a hint for Python 2 code), or None when it compiles."""
    error = compile_error(text)
    if not isinstance(error, SyntaxError):
        return None
    hint = " (Python 2 code?)" if looks_like_python2(text) else ""
    return f"syntax error at line {error.lineno}: {error.msg}{hint}"


def compile_error(data: bytes | str) -> SyntaxError | ValueError | None:
    """Why CPython rejects ``data`` (its warnings silenced), or None if it compiles."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<file>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return error
    return None


def looks_like_python2(text: str) -> bool:
    return any(
        stripped.startswith(("print ", "exec ")) and not stripped.startswith(("print (", "print(", "exec("))
        or (stripped.startswith("except ") and ", " in stripped and " as " not in stripped)
        for stripped in (line.strip() for line in text.splitlines())
    )
