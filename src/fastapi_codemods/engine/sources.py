"""Source bytes to text, and text to stdlib ``ast``: decided the same way for the
files a transform rewrites, the project analysis and its worker processes."""

from __future__ import annotations

import ast
import errno
import os
import re
import stat
import sys
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
    """The stdlib ``ast``, or None for code this interpreter cannot parse (Python 2,
    not Python at all); its warnings are not the user's concern here.

    Code in syntax newer than the running Python is read through `normalised`
    (PEP 695 ``type`` statements and generics, PEP 701 f-strings, PEP 758 ``except
    A, B:``): the tree then holds their older spelling, at the same lines.
    """
    tree = _parse(text, path)
    if tree is None and sys.version_info < NEWEST:
        try:
            newer = normalised(text)
        except (RecursionError, IndexError, ValueError):
            return None
        if newer != text:
            tree = _parse(newer, path)
    return tree


def _parse(text: str, path: Path) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # MemoryError: CPython's parser on 10,000 nested ``not``.
        return None


# The newest syntax `normalised` knows how to read (3.14: PEP 758).
NEWEST = (3, 14)
_EXCEPT = re.compile(r"^(?P<head>[ \t]*except\*?[ \t]+)(?P<types>[^(\n][^\n]*?)(?P<tail>[ \t]*:[ \t]*(?:#[^\n]*)?)$",
                     re.MULTILINE)
_TYPE_STATEMENT = re.compile(r"^(?P<indent>[ \t]*)type[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]*(?=[\[=])", re.MULTILINE)
_GENERIC = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*(?=\[)", re.MULTILINE)


def normalised(text: str) -> str:
    """``text`` with the syntax of Python 3.12 to 3.14 spelled as Python 3.8 reads it,
    line for line, so that what the ``ast`` finds stays at its line:

    - ``except A, B:`` (PEP 758) becomes ``except (A, B):``;
    - ``type Alias[T] = ...`` (PEP 695) becomes ``Alias = ...``;
    - the type parameters of ``def f[T](...)`` and ``class C[T]:`` are dropped;
    - an f-string that only 3.12 reads (PEP 701: its own quote or a backslash
      inside a replacement field) becomes a plain string of the same lines.
    """
    text = _fstrings_of_pep_701(text)
    text = _EXCEPT.sub(_parenthesised_except, text)
    text = _TYPE_STATEMENT.sub(_plain_alias, text)
    return _without_type_parameters(text)


def _parenthesised_except(match: re.Match[str]) -> str:
    types = match["types"]
    if " as " in types or "," not in types:
        return match[0]
    return f"{match['head']}({types}){match['tail']}"


def _plain_alias(match: re.Match[str]) -> str:
    text = match.string
    end = match.end()
    if text.startswith("[", end):
        closing = _closing_bracket(text, end)
        if closing is None:
            return match[0]
        # The parameters are dropped with the match's replacement in `_without_type_parameters`.
    return f"{match['indent']}{match['name']}"


def _without_type_parameters(text: str) -> str:
    """Drop ``[...]`` right after a ``def``/``class`` name, or after an alias's name
    (``Alias[T] = ...`` left by `_plain_alias`), keeping newlines inside."""
    pieces = []
    position = 0
    starts = [match.end() for match in _GENERIC.finditer(text)]
    starts += [match.end() for match in re.finditer(r"^[ \t]*[A-Za-z_]\w*(?=\[[^\n]*\][ \t]*=[^=])", text, re.MULTILINE)
               if _was_type_statement(text, match.end())]
    for start in sorted(starts):
        closing = _closing_bracket(text, start)
        if closing is None or start < position:
            continue
        pieces.append(text[position:start])
        pieces.append("\n" * text.count("\n", start, closing + 1))
        position = closing + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _was_type_statement(text: str, end: int) -> bool:
    """The subscripted name at ``end`` is followed by ``= `` and holds a bare type
    parameter list (``[T]``, ``[T: int]``, ``[*Ts]``, ``[**P]``): a former ``type``
    statement, not an item assignment (``x[0] = 1`` has no capitalised parameter)."""
    closing = _closing_bracket(text, end)
    if closing is None:
        return False
    inside = text[end + 1:closing]
    return bool(re.fullmatch(r"[ \t]*\**[A-Z]\w*(?:[ \t]*:[^,\]]+)?(?:[ \t]*,[ \t]*\**[A-Z]\w*(?:[ \t]*:[^,\]]+)?)*[ \t]*,?[ \t]*",
                             inside))


def _closing_bracket(text: str, start: int) -> int | None:
    """The index of the ``]`` closing the ``[`` at ``start``."""
    depth = 0
    for index in range(start, min(len(text), start + 2000)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index if char == "]" else None
    return None


_STRING_START = re.compile(r"(?i)(?<![\w])(?P<prefix>[rbuf]{0,2})(?P<quote>\'\'\'|\"\"\"|\'|\")")


def _fstrings_of_pep_701(text: str) -> str:
    """Replace each f-string that reuses its own quote, or holds a backslash, inside
    a replacement field by a plain string spanning the same lines."""
    pieces = []
    position = 0
    index = 0
    while True:
        match = _find_string_or_comment(text, index)
        if match is None:
            break
        start, kind = match
        if kind == "#":
            newline = text.find("\n", start)
            index = len(text) if newline < 0 else newline
            continue
        prefix, quote = kind
        end, newer = _string_end(text, start + len(prefix) + len(quote), quote, "f" in prefix.lower(),
                                 "r" in prefix.lower())
        if end is None:
            break
        if newer:
            body = text[start:end]
            lines = body.count("\n")
            pieces.append(text[position:start])
            pieces.append('"""' + "\n" * lines + '"""' if lines else '""')
            position = end
        index = end
    pieces.append(text[position:])
    return "".join(pieces)


def _find_string_or_comment(text: str, index: int) -> tuple[int, object] | None:
    hash_at = text.find("#", index)
    match = _STRING_START.search(text, index)
    if match is not None and (hash_at < 0 or match.start() < hash_at):
        return match.start(), (match["prefix"], match["quote"])
    if hash_at >= 0:
        return hash_at, "#"
    return None


def _string_end(text: str, index: int, quote: str, is_f: bool, is_raw: bool,
                in_field: bool = False) -> tuple[int | None, bool]:
    """(the index after the string's closing quote, whether it needs PEP 701); a
    string ``in_field`` (of a replacement field) needs it for any backslash."""
    newer = False
    depth = 0
    while index < len(text):
        char = text[index]
        if depth == 0:
            if char == "\\":
                newer = newer or in_field
            if char == "\\" and not is_raw:
                index += 2
                continue
            if text.startswith(quote, index):
                return index + len(quote), newer
            if char == "\n" and len(quote) == 1:
                return None, newer
            if is_f and char == "{":
                if text.startswith("{{", index):
                    index += 2
                    continue
                depth = 1
            index += 1
            continue
        # Inside a replacement field: nested strings, brackets, the field's end.
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "\\":
            newer = True
        elif char in "'\"":
            inner = "".join(text[index:index + 3]) if text.startswith(char * 3, index) else char
            if quote.startswith(char) or inner == quote:
                newer = True
            prefix_start = index
            while prefix_start > 0 and text[prefix_start - 1].lower() in "rbuf":
                prefix_start -= 1
            prefix = text[prefix_start:index].lower()
            end, inner_newer = _string_end(text, index + len(inner), inner, "f" in prefix, "r" in prefix, True)
            if end is None:
                return None, newer
            newer = newer or inner_newer
            index = end
            continue
        elif char == "#":
            newer = True
        index += 1
    return None, newer


def python_syntax_error(text: str) -> str | None:
    """One line naming where and why CPython rejects ``text`` ("syntax error at line
    3: ...", with a hint for Python 2 code), or None when it compiles."""
    error = compile_error(text)
    if not isinstance(error, SyntaxError):
        return None
    hint = " (Python 2 code?)" if looks_like_python2(text) else ""
    return f"syntax error at line {error.lineno}: {error.msg}{hint}"


def compile_error(data: bytes | str) -> SyntaxError | ValueError | None:
    """Why CPython rejects ``data`` (its warnings silenced), or None if it compiles.
    A file too deep for the compiler (10,000 nested ``not``: MemoryError) is a
    ValueError here: `engine.limits` fails it, named."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<file>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return error
        except (MemoryError, RecursionError) as error:
            return ValueError(f"too deep for the compiler: {type(error).__name__}")
    return None


def looks_like_python2(text: str) -> bool:
    return any(
        stripped.startswith(("print ", "exec ")) and not stripped.startswith(("print (", "print(", "exec("))
        or (stripped.startswith("except ") and ", " in stripped and " as " not in stripped)
        for stripped in (line.strip() for line in text.splitlines())
    )
