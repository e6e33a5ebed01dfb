"""Commands of a deployment file as the program reading it sees them, spread over several lines or not.

A Dockerfile or a shell script continues a line ending in ``\\``; a compose file may
give ``command:`` as a block list, one word per line (``- uvicorn``, ``- app.main:app``).
Searching physical lines misses those commands, and editing them needs the line and
column each word came from. `command_lines` joins each command into one text and
keeps, for every character, where it was. Text only; comment lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_YAML_KEY = re.compile(r"^(?P<indent>\s*)(?:command|entrypoint):\s*(?:#.*)?$")
_YAML_ITEM = re.compile(r"^(?P<prefix>(?P<indent>\s*)-\s+)(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class CommandLine:
    """One command: its first physical ``line`` (1-based), the joined ``text``, and
    for each character of ``text`` the (line, column) it came from. ``item_prefix``
    is set for a compose block list: the ``      - `` that starts each item line."""

    line: int
    text: str
    origin: tuple[tuple[int, int], ...]
    item_prefix: str = ""

    def after(self, offset: int) -> tuple[int, int]:
        """(line, column) just after the character at ``offset - 1`` of ``text``."""
        line, column = self.origin[offset - 1]
        return line, column + 1


def is_compose(path: Path) -> bool:
    return path.suffix in (".yml", ".yaml")


def command_lines(path: Path, text: str) -> Iterator[CommandLine]:
    """Every command of the file (see the module), in file order."""
    lines = text.splitlines()
    continued = not is_compose(path) and path.name != "Procfile"
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("#"):
            index += 1
            continue
        key = _YAML_KEY.match(line) if is_compose(path) else None
        if key is not None:
            items, index = _block_list(lines, index + 1, len(key.group("indent")))
            if items:
                yield items
            continue
        start = index
        parts = [(index, line)]
        while continued and parts[-1][1].rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            if not lines[index].lstrip().startswith("#"):  # Docker drops comment lines inside an instruction
                parts.append((index, lines[index]))
        index += 1
        yield _joined(start, parts)


def _joined(start: int, parts: list[tuple[int, str]]) -> CommandLine:
    """The physical lines ``parts`` as one command, the ``\\`` of each continuation
    turned into a space."""
    text: list[str] = []
    origin: list[tuple[int, int]] = []
    for position, (number, line) in enumerate(parts):
        body = line
        if position < len(parts) - 1:
            body = line.rstrip()[:-1]
        for column, char in enumerate(body):
            text.append(char)
            origin.append((number + 1, column))
        if position < len(parts) - 1:
            text.append(" ")
            origin.append((number + 1, max(len(body) - 1, 0)))
    return CommandLine(start + 1, "".join(text), tuple(origin))


def _block_list(lines: list[str], index: int, key_indent: int) -> tuple[CommandLine | None, int]:
    """The ``- word`` items under a compose ``command:`` key, joined with spaces."""
    text: list[str] = []
    origin: list[tuple[int, int]] = []
    prefix = ""
    first = index
    while index < len(lines):
        match = _YAML_ITEM.match(lines[index])
        if lines[index].strip() == "" or lines[index].lstrip().startswith("#"):
            index += 1
            continue
        if match is None or len(match.group("indent")) < key_indent:
            break
        prefix = prefix or match.group("prefix")
        if text:
            text.append(" ")
            origin.append(origin[-1])
        start = match.start("value")
        for column, char in enumerate(match.group("value")):
            text.append(char)
            origin.append((index + 1, start + column))
        index += 1
    if not text:
        return None, max(index, first)
    return CommandLine(first + 1, "".join(text), tuple(origin), prefix), index
