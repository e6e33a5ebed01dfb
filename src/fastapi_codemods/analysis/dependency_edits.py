"""Text edits that add a dependency to a project's declaration file (no I/O).

Three formats are edited, each as strings at known lines so that the rest of the file
(comments, order, quotes, pins, line endings) stays byte for byte: a requirements
file (one requirement a line), a ``pyproject.toml`` PEP 621 ``[project]
dependencies`` array written one entry a line, and a Poetry
``[tool.poetry.dependencies]`` table written one entry a line. New entries go right
after an anchor declaration (``fastapi``'s, or ``uvicorn``'s when it is edited), in
the anchor's style. Anything else is refused with a reason (`EditRefused`): the
caller turns it into a finding asking for the edit by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi_codemods.analysis.dependencies import Declaration, normalize
from fastapi_codemods.engine.tomlreader import tomllib

STANDARD = "standard"


class EditRefused(Exception):
    """The declaration cannot be edited safely as text; the message says why."""


@dataclass(frozen=True)
class Addition:
    """A requirement to add: its name, extras and version specifier (PEP 440)."""

    name: str
    extras: tuple[str, ...] = ()
    spec: str = ""

    def pep508(self) -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.name}{extras}{self.spec}"


def edit(text: str, path: Path, anchor: Declaration, standard: Declaration | None,
         additions: list[Addition]) -> str:
    """``text`` with ``standard`` (a uvicorn declaration) given the ``standard`` extra
    and ``additions`` inserted after ``anchor``; raises `EditRefused`."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    kind = _kind(text, path, anchor)
    if standard is not None and standard.line != anchor.line:
        raise EditRefused("uvicorn is not declared next to fastapi")
    if not 1 <= anchor.line <= len(lines):
        raise EditRefused(f"could not find the line declaring {anchor.name}")
    index = anchor.line - 1
    line = lines[index]
    if kind != "pep621" and not _names(line, anchor):
        raise EditRefused(f"could not find the line declaring {anchor.name}")
    body = line.rstrip("\r\n")
    ending = line[len(body):] or newline
    if kind == "requirements":
        new_body, inserted = _requirements(body, anchor, standard, additions)
    elif kind == "pep621":
        if not _in_project_dependencies(lines, index):
            raise EditRefused(f"could not find the line declaring {anchor.name} in [project] dependencies")
        new_body, inserted = _pep621(body, anchor, standard, additions)
    else:
        new_body, inserted = _poetry(body, anchor, standard, additions)
    block = [new_body + ending] + [entry + newline for entry in inserted]
    if not line.endswith(("\n", "\r")):
        block[-1] = block[-1][: -len(newline)]
    return "".join([*lines[:index], *block, *lines[index + 1 :]])


def _kind(text: str, path: Path, anchor: Declaration) -> str:
    if path.suffix == ".txt":
        if "--hash" in text:
            raise EditRefused("its requirements are hash-pinned (--hash)")
        return "requirements"
    if path.name != "pyproject.toml":
        raise EditRefused(f"{path.name} is not a format fastapi-codemods edits")
    data = tomllib.loads(text)
    pep621 = data.get("project", {}).get("dependencies", []) or []
    if any(isinstance(item, str) and _names(item, anchor) for item in pep621):
        return "pep621"
    if anchor.name in (data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}):
        return "poetry"
    raise EditRefused(f"{anchor.name} is declared outside [project] dependencies and Poetry's table")


def _in_project_dependencies(lines: list[str], index: int) -> bool:
    """Line ``index`` is inside the ``dependencies = [`` array of the ``[project]`` table
    (raises when it is the line that opens the array: entries share that line)."""
    table = ""
    opened = False
    for number, line in enumerate(lines[: index + 1]):
        stripped = line.strip()
        if stripped.startswith("["):
            table, opened = stripped, False
        elif table == "[project]" and re.match(r"dependencies\s*=\s*\[", stripped):
            opened = "]" not in stripped.split("#")[0]
            if number == index:
                raise EditRefused("its dependencies array is not written one entry a line")
        elif opened and stripped.split("#")[0].strip().startswith("]"):
            opened = False
    return opened


def _names(text: str, declaration: Declaration) -> bool:
    """``text`` starts with the name of ``declaration`` (any spelling PEP 503 equates)."""
    match = re.match(r"\s*[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match is not None and normalize(match.group(1)) == declaration.normalized


def _with_standard(name_and_extras: str, declaration: Declaration) -> str:
    """``uvicorn`` -> ``uvicorn[standard]``, ``uvicorn[x]`` -> ``uvicorn[x,standard]``."""
    match = re.fullmatch(re.escape(declaration.name) + r"(?:\s*\[([^\]]*)\])?(\s*)", name_and_extras)
    if match is None:
        raise EditRefused(f"could not read the declaration of {declaration.name}")
    extras = [extra.strip() for extra in (match.group(1) or "").split(",") if extra.strip()]
    # The space before a version (``uvicorn == 0.30``) stays where it was.
    return f"{declaration.name}[{','.join([*extras, STANDARD])}]{match.group(2)}"


_REQUIREMENT_LINE = re.compile(r"(?P<indent>\s*)(?P<head>[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?)(?P<rest>.*)")


def _requirements(body: str, anchor: Declaration, standard: Declaration | None,
                  additions: list[Addition]) -> tuple[str, list[str]]:
    match = _REQUIREMENT_LINE.fullmatch(body)
    if match is None or body.rstrip().endswith("\\"):
        raise EditRefused(f"the line declaring {anchor.name} continues on the next one")
    if standard is not None:
        body = match.group("indent") + _with_standard(match.group("head"), standard) + match.group("rest")
    return body, [match.group("indent") + addition.pep508() for addition in additions]


_ARRAY_ENTRY = re.compile(r"(?P<indent>\s*)(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)(?P<comma>\s*,)?(?P<tail>\s*(?:#.*)?)")


def _pep621(body: str, anchor: Declaration, standard: Declaration | None,
            additions: list[Addition]) -> tuple[str, list[str]]:
    match = _ARRAY_ENTRY.fullmatch(body)
    if match is None:
        raise EditRefused("its dependencies array is not written one entry a line")
    value = match.group("value")
    if not _names(value, anchor):
        raise EditRefused(f"could not find the line declaring {anchor.name}")
    if standard is not None:
        head = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?", value)
        assert head is not None  # the anchor's requirement string starts with its name
        value = _with_standard(head.group(0), standard) + value[head.end():]
    quote, indent, comma = match.group("quote"), match.group("indent"), match.group("comma")
    entries = [f"{indent}{quote}{addition.pep508()}{quote}" for addition in additions]
    # The anchor was the last entry without a trailing comma: it gets one, the last new entry does not.
    separator = comma or ","
    entries = [entry + separator for entry in entries[:-1]] + [entries[-1] + (comma or "")] if entries else []
    anchor_comma = separator if entries else (comma or "")
    return f"{indent}{quote}{value}{quote}{anchor_comma}{match.group('tail')}", entries


_TABLE_ENTRY = re.compile(r"(?P<indent>\s*)(?P<key>[\"']?[A-Za-z0-9._-]+[\"']?)(?P<equals>\s*=\s*)(?P<value>.*?)(?P<tail>\s*(?:#.*)?)")


def _poetry(body: str, anchor: Declaration, standard: Declaration | None,
            additions: list[Addition]) -> tuple[str, list[str]]:
    match = _TABLE_ENTRY.fullmatch(body)
    if match is None:
        raise EditRefused(f"could not read the declaration of {anchor.name}")
    value = match.group("value")
    if value.startswith("{") != value.endswith("}") or value.startswith("["):
        raise EditRefused(f"{anchor.name} is not declared as one version or one inline table on its line")
    if standard is not None:
        if value.startswith("{"):
            if "extras" in value:
                raise EditRefused("uvicorn already lists extras: add standard to them")
            value = value[:-1].rstrip() + ', extras = ["standard"]' + (" }" if value.endswith(" }") else "}")
        else:
            value = "{version = " + value + ', extras = ["standard"]}'
    indent, equals = match.group("indent"), match.group("equals")
    entries = [f"{indent}{addition.name}{equals}{_poetry_value(addition)}" for addition in additions]
    return f"{indent}{match.group('key')}{equals}{value}{match.group('tail')}", entries


def _poetry_value(addition: Addition) -> str:
    version = f'"{addition.spec or "*"}"'
    if not addition.extras:
        return version
    extras = ", ".join(f'"{extra}"' for extra in addition.extras)
    return f"{{version = {version}, extras = [{extras}]}}"
