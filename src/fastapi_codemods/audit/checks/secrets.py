"""Practice 13: secrets and credentials hard-coded in the source.

In the application's modules (test code, test helpers and documentation snippets
aside), a non-empty string literal assigned at module level or as a class-body field
default (``NAME = "..."``, ``NAME: str = "..."``, ``NAME: str = Field("...")`` or
``Field(default="...")``) to a name that holds a secret, matched without regard to
case: ``SECRET``, ``SECRET_KEY``, ``PASSWORD``, ``API_KEY``, ``TOKEN``,
``ENCRYPTION_KEY``, ``PRIVATE_KEY`` or a name ending in ``_SECRET``, ``_SECRET_KEY``,
``_SECRET_ACCESS_KEY`` (``AWS_SECRET_ACCESS_KEY``), ``_PASSWORD``, ``_PWD``,
``_PASSWD``, ``_API_KEY``, ``_ENCRYPTION_KEY``, ``_PRIVATE_KEY``, ``_SIGNING_KEY``,
``_TOKEN``; bytes literals (``AUTH_SECRET = b"..."``) count as strings; and, for
names ending in ``_URL``, ``_URI`` or ``_DSN`` (``DATABASE_URL``), a literal holding
credentials (``scheme://user:password@host``). Anywhere in a module, a dict literal
with a ``"password"`` (or another secret name) key and a literal value: a seed or
default account's password; docs examples (inside ``example``/``examples``/
``json_schema_extra``) aside.

Not counted: an all-caps identifier (``JWT_SECRET = "JWT_SECRET"`` names an
environment variable); a value that is the name itself (``RESET_USER_PASSWORD =
"reset_user_password"``) or an identifier-like string sharing two of its words (a
permission or event name); members of an ``Enum``/``StrEnum`` class (their values
are names); and, for the ``TOKEN`` names, a value that does not look like a token
(at least 16 letters, digits or ``-_.=+/``): parsers name their token constants so
(``_DEFAULT_TOKEN = "*"``). Any: FAIL (the excerpt masks the value). Application
code and none: PASS. No application code: NOT APPLICABLE.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, shorten
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

SECRET_NAMES = frozenset({"SECRET", "SECRET_KEY", "PASSWORD", "API_KEY", "TOKEN", "ENCRYPTION_KEY", "PRIVATE_KEY"})
SECRET_SUFFIXES = ("_SECRET", "_SECRET_KEY", "_SECRET_ACCESS_KEY", "_PASSWORD", "_PWD", "_PASSWD", "_API_KEY",
                   "_ENCRYPTION_KEY", "_PRIVATE_KEY", "_SIGNING_KEY", "_TOKEN")
IDENTIFIER_LIKE = re.compile(r"[a-z][a-z0-9]*(?:[_.:\-][a-z0-9]+)*")
EXAMPLE_KEYS = frozenset({"example", "examples", "json_schema_extra", "schema_extra", "openapi_examples"})
URL_SUFFIXES = ("_URL", "_URI", "_DSN")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
TOKEN_VALUE = re.compile(r"[A-Za-z0-9_\-.=+/]{16,}")
CREDENTIALS = re.compile(r"(://[^/\s:@]+:)([^/\s@]+)@")
NEEDLES = ("SECRET", "secret", "Secret", "PASSWORD", "password", "Password", "API_KEY", "api_key",
           "TOKEN", "token", "Token", "://", "PWD", "PASSWD", "ENCRYPTION_KEY", "PRIVATE_KEY",
           "SIGNING_KEY", "SECRET_ACCESS_KEY")


def secret_kind(name: str) -> str | None:
    """"secret", "token", "url" or None for an assigned name."""
    upper = name.upper()
    if upper == "TOKEN" or upper.endswith("_TOKEN"):
        return "token"
    if upper in SECRET_NAMES or upper.endswith(SECRET_SUFFIXES):
        return "secret"
    if upper.endswith(URL_SUFFIXES):
        return "url"
    return None


def hard_coded_secrets(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                       ) -> tuple[tuple[int, int, str, str], ...]:
    """(line, column, masked excerpt, message) of each hard-coded secret."""
    found = []
    lines = text.splitlines()
    for name, literal, in_class in [*_assigned_literals(tree.body), *_dict_literals(tree)]:
        kind = secret_kind(name)
        value = literal.value.decode("latin-1") if isinstance(literal.value, bytes) else literal.value
        # A class field's literal is its default: the environment may override it,
        # but a deployment that forgets to still runs with the published value.
        advice = "remove the default so it must come from the environment" if in_class else (
            "read it from the environment (settings class)"
        )
        if in_class is None:
            advice = "a literal password in a dict (a seed or default account?): read it from the environment"
        if kind in ("secret", "token") and _looks_secret(value, kind) and not _names_itself(name, value):
            masked, message = '"***"', f"{name} is hard-coded: {advice}"
        elif kind == "url" and CREDENTIALS.search(value):
            masked = '"' + CREDENTIALS.sub(r"\1***@", value) + '"'
            message = f"{name} holds a password: {advice}"
        else:
            continue
        line = lines[literal.lineno - 1] if literal.lineno <= len(lines) else ""
        segment = ast.get_source_segment(text, literal) or ""
        excerpt = line.strip().replace(segment, masked) if segment and segment in line else f"{name} = {masked}"
        found.append((literal.lineno, literal.col_offset + 1, shorten(excerpt), message))
    return tuple(found)


def _looks_secret(value: str, kind: str) -> bool:
    if not value.strip() or ENV_NAME.fullmatch(value):
        return False
    return kind != "token" or TOKEN_VALUE.fullmatch(value) is not None


def _names_itself(name: str, value: str) -> bool:
    """The value is the name (``"reset_user_password"``) or an identifier sharing two of
    its words (``"users:reset_password"``): a permission, event or enum name."""
    if not IDENTIFIER_LIKE.fullmatch(value):
        return False
    words = {word for word in re.split(r"[_.:\-]", name.lower()) if word}
    found = set(re.split(r"[_.:\-]", value))
    return value.replace("-", "_") == name.lower().strip("_") or len(words & found) >= 2


def _dict_literals(tree: ast.Module) -> Iterator[tuple[str, ast.Constant, bool | None]]:
    """(key, literal value, None) of each dict entry keyed by a secret name with a
    literal value (seed accounts), docs examples aside."""
    wanted = {id(node) for node in nodes_of(tree, ast.Dict) if any(
        isinstance(key, ast.Constant) and isinstance(key.value, str) and secret_kind(key.value) in ("secret", "token")
        and isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes))
        for key, value in zip(node.keys, node.values))}
    if not wanted:  # most modules: no walk for the examples' context
        return
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_example = stack.pop()
        if isinstance(node, ast.Dict) and not in_example and id(node) in wanted:
            for key, value in zip(node.keys, node.values):
                if (isinstance(key, ast.Constant) and isinstance(key.value, str) and secret_kind(key.value)
                        in ("secret", "token") and isinstance(value, ast.Constant)
                        and isinstance(value.value, (str, bytes))):
                    yield key.value, value, None
        for field, child in ast.iter_fields(node):
            children = child if isinstance(child, list) else [child]
            for item in children:
                if isinstance(item, ast.AST):
                    stack.append((item, in_example or _is_example(node, item)))


def _is_example(parent: ast.AST, child: ast.AST) -> bool:
    if isinstance(parent, ast.keyword):
        return parent.arg in EXAMPLE_KEYS
    if isinstance(parent, ast.Dict) and child in parent.values:
        key = parent.keys[parent.values.index(child)]
        return isinstance(key, ast.Constant) and key.value in EXAMPLE_KEYS
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any(isinstance(t, ast.Name) and "example" in t.id.lower() for t in targets)
    if isinstance(parent, ast.ClassDef):
        return parent.name == "Config"
    return False


def _is_enum(node: ast.ClassDef) -> bool:
    return any((base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else "")
               .endswith("Enum") for base in node.bases)


def _assigned_literals(body: list[ast.stmt], in_class: bool = False
                       ) -> Iterator[tuple[str, ast.Constant, bool | None]]:
    """(name, string literal, whether it is a class field) of the assignments in a
    module or class body, and in the bodies of the classes it defines."""
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            if _is_enum(statement):
                continue
            yield from _assigned_literals(statement.body, in_class=True)
            continue
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        literal = _literal_default(value)
        if literal is None:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                yield target.id, literal, in_class


def _literal_default(value: ast.expr) -> ast.Constant | None:
    """The string literal itself, or the default of ``Field("...")``/``Field(default="...")``."""
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "Field":
            return None
        defaults = [keyword.value for keyword in value.keywords if keyword.arg == "default"]
        value = defaults[0] if defaults else value.args[0] if value.args else value
    if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
        return value
    return None


HARD_CODED_SECRETS = FilePass("audit.secrets", NEEDLES, hard_coded_secrets)
TRANSFORM = None
FILE_PASSES = (HARD_CODED_SECRETS,)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each hard-coded secret or credential; see the module."""
    if not facts.roles:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no application code found")
    evidence = [
        Evidence(info.path, line, column, excerpt, message)
        for _path, info, found in facts.application_results(HARD_CODED_SECRETS)
        for line, column, excerpt, message in found
    ]
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    return Outcome(Verdict.PASS, reason=f"{len(facts.roles)} application module(s) checked: no secret, password, "
                                        "token or credential URL assigned a literal")
