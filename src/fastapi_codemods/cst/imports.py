"""Give the imports libcst's AddImportsVisitor added the place isort would give them.

AddImportsVisitor appends a new ``import x`` after the last import of the first
block (whatever section that is) and puts a name added to an existing
``from x import ...`` first. Reviewers then see an import diff isort or ruff would
immediately undo. `tidy_added_imports` compares the module before and after
AddImportsVisitor and moves only what it added: the user's own imports keep their
order, and when the existing imports don't look isort-ordered libcst's placement
stays.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def tidy_added_imports(before: cst.Module, after: cst.Module, package: str) -> cst.Module:
    """``after`` (``before`` run through AddImportsVisitor) with the added imports moved.

    ``package`` is the top-level package of the module itself (its first-party section).
    """
    old, new = list(before.body), list(after.body)
    start = 1 if old and _is_docstring(old[0]) else 0
    end = start
    while end < len(old) and _import_of(old[end]) is not None:
        end += 1
    added = len(new) - len(old)
    if added < 0 or not all(_same_import(old[i], new[i]) for i in range(start, end)):
        return after
    body = [_tidy_names(old[i], new[i if i < end else i + added]) for i in range(len(old))]
    inserted = new[end : end + added]
    if any(_import_of(statement) is None for statement in inserted):
        return after
    block = body[start:end]
    if inserted and block and _looks_sorted(block, package) and not _imports_follow(body[end:]):
        for statement in inserted:
            block = _place(block, statement, package)
        inserted = []
    return after.with_changes(body=[*body[:start], *block, *inserted, *body[end:]])


class TopImportsAdder(AddImportsVisitor):
    """libcst's AddImportsVisitor, visiting only what it reads.

    It acts on the module's leading import statements and on the module itself,
    yet runs two full passes (one to gather the leading imports, one to rewrite),
    each with libcst's matcher bookkeeping at every node, over a deep copy of the
    tree made for metadata it never asks for. On a 1,000-line module that was most
    of print_to_logging's time. Here: no copy, the gathering pass sees only the
    leading statements, and the rewriting pass enters no statement but simple
    ones at the top level.
    """

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        yield module

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node.with_changes(body=_leading_imports(node.body)))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """AddImportsVisitor parses the new imports with the module's parser config,
        which libcst rejects when the indentation it detected holds a form feed; the
        new imports are top-level, so they are parsed with a plain indent and the
        module keeps its own."""
        try:
            updated_node.config_for_parsing  # noqa: B018 - only checks that it can be built
        except ValueError:
            plain = updated_node.default_indent.replace("\f", "") or "    "
            added = super().leave_Module(original_node, updated_node.with_changes(default_indent=plain))
            return added.with_changes(default_indent=updated_node.default_indent)
        return super().leave_Module(original_node, updated_node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return isinstance(node, (cst.Module, cst.SimpleStatementLine)) and cst.CSTTransformer.on_visit(self, node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        return cst.CSTTransformer.on_leave(self, original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        """AddImportsVisitor handles no single attribute."""

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        """AddImportsVisitor handles no single attribute."""


def _leading_imports(body: Sequence[Statement]) -> list[Statement]:
    """The statements AddImportsVisitor's gathering pass reads: the first one (a
    docstring or not), the imports right after it, and the statement ending them."""
    end = 1
    while end < len(body) and _import_of(body[end]) is not None:
        end += 1
    return list(body[: end + 1])


# -- names added to an existing ``from x import ...`` ---------------------------


def _tidy_names(old: Statement, new: Statement) -> Statement:
    """``new`` with the names AddImportsVisitor prepended moved to their sorted place."""
    old_import, new_import = _import_of(old), _import_of(new)
    if (
        not isinstance(old_import, cst.ImportFrom)
        or not isinstance(new_import, cst.ImportFrom)
        or isinstance(old_import.names, cst.ImportStar)
        or isinstance(new_import.names, cst.ImportStar)
        or len(new_import.names) <= len(old_import.names)
    ):
        return new
    existing = list(old_import.names)
    known = {_alias_key(alias) for alias in existing}
    extra = [alias for alias in new_import.names if _alias_key(alias) not in known]
    if len(extra) != len(new_import.names) - len(existing):
        return new
    names = existing
    for alias in extra:
        names = _insert_name(names, alias, old_import)
    assert isinstance(new, cst.SimpleStatementLine)
    return new.with_changes(body=[old_import.with_changes(names=names)])


def _insert_name(names: list[cst.ImportAlias], alias: cst.ImportAlias, node: cst.ImportFrom) -> list[cst.ImportAlias]:
    """``names`` with ``alias`` at its sorted position (last when they are not sorted),
    laid out like its neighbours."""
    order = _name_order([_alias_name(a) for a in names])
    position = len(names)
    if order is not None:
        key = order(_alias_name(alias))
        position = next((i for i, a in enumerate(names) if order(_alias_name(a)) > key), len(names))
    separator = _separator(names, node)
    if position < len(names):
        return [*names[:position], alias.with_changes(comma=separator), *names[position:]]
    last = names[-1]
    ending = last.comma
    if (
        isinstance(ending, cst.Comma)
        and isinstance(ending.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        # A comment after the old last name stays on its line; the new name takes
        # the line break before the closing parenthesis.
        between = ending.with_changes(
            whitespace_after=ending.whitespace_after.with_changes(
                indent=separator.whitespace_after.indent, last_line=separator.whitespace_after.last_line
            )
        )
        closing = ending.with_changes(
            whitespace_after=ending.whitespace_after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        )
        return [*names[:-1], last.with_changes(comma=between), alias.with_changes(comma=closing)]
    return [*names[:-1], last.with_changes(comma=separator), alias.with_changes(comma=ending)]


def _name_order(names: Sequence[str]) -> Callable[[str], tuple[int, str] | str] | None:
    """The ordering ``names`` already follow: isort's default (CONSTANTS, Classes,
    functions; case-insensitive within each) or plain case-sensitive; None if neither."""
    for key in (_isort_name_key, _plain_key):
        keys = [key(name) for name in names]
        if keys == sorted(keys):
            return key
    return None


def _isort_name_key(name: str) -> tuple[int, str]:
    if len(name) > 1 and name.isupper():
        return 0, name.lower()
    if name[:1].isupper():
        return 1, name.lower()
    return 2, name.lower()


def _plain_key(name: str) -> str:
    return name


def _separator(names: Sequence[cst.ImportAlias], node: cst.ImportFrom) -> cst.Comma:
    """The comma (and what follows it) between two names of this statement, without
    any comment that sat after one of them."""
    comma = names[0].comma if len(names) > 1 else None
    if not isinstance(comma, cst.Comma):
        if node.lpar is not None and isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace):
            return cst.Comma(
                whitespace_after=node.lpar.whitespace_after.with_changes(
                    first_line=cst.TrailingWhitespace(), empty_lines=()
                )
            )
        return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return comma.with_changes(whitespace_after=after)


def _alias_name(alias: cst.ImportAlias) -> str:
    return get_full_name_for_node(alias.name) or ""


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    asname = get_full_name_for_node(alias.asname.name) if alias.asname is not None else None
    return _alias_name(alias), asname


# -- new statements ------------------------------------------------------------


@dataclass(frozen=True)
class _Info:
    section: int
    key: tuple[int, str]


def _info(statement: Statement, package: str, first_party: frozenset[str] = frozenset()) -> _Info:
    node = _import_of(statement)
    assert node is not None
    if isinstance(node, cst.Import):
        module = _alias_name(node.names[0])
        return _Info(_section(module, 0, package, first_party), (0, module.lower()))
    module = get_full_name_for_node(node.module) if node.module is not None else ""
    module = module or ""
    level = len(node.relative)
    return _Info(_section(module, level, package, first_party), (1, "." * level + module.lower()))


def _section(module: str, level: int, package: str, first_party: frozenset[str]) -> int:
    if level:
        return LOCAL
    top = module.split(".")[0]
    if top == "__future__":
        return FUTURE
    if top in sys.stdlib_module_names:
        return STDLIB
    if top == package or top in first_party:
        return FIRST_PARTY
    return THIRD_PARTY


def _groups(block: Sequence[Statement]) -> list[list[int]]:
    """Indexes of ``block`` split where a blank line or comment line separates imports."""
    groups: list[list[int]] = []
    for index, statement in enumerate(block):
        if not groups or any(line.comment is None for line in statement.leading_lines):
            groups.append([])
        groups[-1].append(index)
    return groups


def _first_party(block: Sequence[Statement], package: str) -> frozenset[str]:
    """Top-level names the file itself shows are first party: absolute non-stdlib
    imports in a group that comes after another such group (isort's layout)."""
    seen_other = False
    names: set[str] = set()
    for group in _groups(block):
        sections = {_info(block[i], package).section for i in group}
        if sections <= {THIRD_PARTY, FIRST_PARTY}:
            if seen_other:
                names.update(_top(block[i]) for i in group)
            seen_other = True
    return frozenset(names)


def _top(statement: Statement) -> str:
    node = _import_of(statement)
    if isinstance(node, cst.Import):
        return _alias_name(node.names[0]).split(".")[0]
    assert isinstance(node, cst.ImportFrom) and node.module is not None
    return (get_full_name_for_node(node.module) or "").split(".")[0]


def _looks_sorted(block: Sequence[Statement], package: str) -> bool:
    """Each blank-line group holds one section and sections only go up."""
    first_party = _first_party(block, package)
    previous = -1
    for group in _groups(block):
        sections = {_info(block[i], package, first_party).section for i in group}
        if len(sections) != 1:
            return False
        (section,) = sections
        if section <= previous:
            return False
        previous = section
    return True


def _imports_follow(rest: Sequence[Statement]) -> bool:
    """More imports after the first block (a try/except ImportError, more import
    lines): the layout is not one isort block, so libcst's placement stays."""
    for statement in rest:
        if _import_of(statement) is not None:
            return True
        if isinstance(statement, cst.Try) and _contains_import(statement):
            return True
    return False


def _contains_import(node: cst.CSTNode) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            nonlocal found
            found = True

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            nonlocal found
            found = True

    node.visit(Finder())
    return found


def _place(block: list[Statement], statement: Statement, package: str) -> list[Statement]:
    """``block`` with ``statement`` where isort (profile black) would put it."""
    first_party = _first_party(block, package)
    info = _info(statement, package, first_party)
    infos = [_info(existing, package, first_party) for existing in block]
    groups = _groups(block)
    for group in groups:
        section = infos[group[0]].section
        if section == info.section:
            position = next((i for i in group if infos[i].key > info.key), None)
            if position is None:
                return [*block[: group[-1] + 1], statement.with_changes(leading_lines=()), *block[group[-1] + 1 :]]
            if position != group[0]:
                return [*block[:position], statement.with_changes(leading_lines=()), *block[position:]]
            return _before_group(block, position, statement, new_group=False)
        if section > info.section:
            return _before_group(block, group[0], statement, new_group=True)
    return [*block, statement.with_changes(leading_lines=(cst.EmptyLine(),))]


def _before_group(block: list[Statement], position: int, statement: Statement, new_group: bool) -> list[Statement]:
    """Insert ``statement`` before the first statement of a group: it takes over the
    blank lines above that statement; comments stay with the statement they precede."""
    existing = block[position]
    lines = list(existing.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    kept = lines[blank:]
    if new_group:
        kept = [cst.EmptyLine(), *kept]
    return [
        *block[:position],
        statement.with_changes(leading_lines=lines[:blank]),
        existing.with_changes(leading_lines=kept),
        *block[position + 1 :],
    ]


# -- shapes --------------------------------------------------------------------


def _import_of(statement: Statement) -> cst.Import | cst.ImportFrom | None:
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    ):
        return statement.body[0]
    return None


def _same_import(old: Statement, new: Statement) -> bool:
    """``new`` is ``old``, possibly with names added (not a statement inserted before it)."""
    old_import, new_import = _import_of(old), _import_of(new)
    if old_import is None or new_import is None or type(old_import) is not type(new_import):
        return False
    if isinstance(old_import, cst.ImportFrom):
        assert isinstance(new_import, cst.ImportFrom)
        return len(old_import.relative) == len(new_import.relative) and _module_name(old_import) == _module_name(
            new_import
        )
    return old.deep_equals(new)


def _module_name(node: cst.ImportFrom) -> str:
    return (get_full_name_for_node(node.module) or "") if node.module is not None else ""


def _is_docstring(statement: Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
