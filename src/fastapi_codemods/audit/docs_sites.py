"""Each ``FastAPI(...)`` call of a module, described as conditional_docs reads it (stdlib ``ast``).

Practice 6 asks `analysis.docs_decision` what conditional_docs would do with each app
it finds serving its docs; this is the per-file half of that question: the docs
keywords (or the ``**kwargs`` dict literal the transform would rewrite instead),
another app under the same ``if`` (the project picks its app per environment), and
the names bound where the flag would be read, so that a flag whose first name means
something else there is refused as the transform refuses it.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi_codemods.analysis.astindex import walk
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.docs_decision import (
    COMPUTED,
    CONDITIONAL,
    FIXED,
    OFF,
    Keyword,
    flag_local_reason,
    flag_taken_reason,
    flag_undefined_reason,
    kwargs_reason,
    rival_reason,
)
from fastapi_codemods.analysis.docs_gates import DOCS_KEYS, FlagPlan
from fastapi_codemods.analysis.excerpts import excerpt_of
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.skip_markers import skip_markers

TRANSFORM = "conditional_docs"
SKIPPED = "a `# fastapi-codemods: skip` marker covers it"

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class DocsSite:
    """One app construction. ``keywords``: its docs keywords as `docs_decision` reads
    them (from the ``**kwargs`` dict when the transform would rewrite that); ``refusal``:
    a reason found in the file alone (``**kwargs`` it cannot rewrite, a rival app);
    ``locals``: (name, annotation's last name or "") bound in the functions around the
    call; ``module_bindings``: name -> how the module binds it at top level (``from
    M``, ``import M`` or ``other``)."""

    line: int
    column: int
    excerpt: str
    keywords: Mapping[str, Keyword]
    unknown: bool
    refusal: str | None
    locals: tuple[tuple[str, str], ...]
    module_bindings: Mapping[str, tuple[str, ...]]

    def flag_refusal(self, plan: FlagPlan) -> str | None:
        """The transform's finding when the flag's first name means something else here."""
        if plan.local is None:
            return None
        local = [annotation for name, annotation in self.locals if name == plan.local]
        wanted = (plan.source_class or "").rpartition(".")[2]
        if local and not (wanted and all(annotation == wanted for annotation in local)):
            return flag_local_reason(plan)
        planned = (
            f"from {plan.import_from[0]}" if plan.import_from else
            f"import {plan.plain_import.split('.')[0]}" if plan.plain_import else None
        )
        bound = self.module_bindings.get(plan.local, ())
        if planned is not None and bound and any(binding != planned for binding in bound):
            return flag_taken_reason(plan)
        if planned is None and not local and not bound and plan.local not in dir(builtins):
            return flag_undefined_reason(plan)
        return None


def docs_sites(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> tuple[DocsSite, ...]:
    calls = app_constructions(tree, ImportMap(tree, info.package))
    if not calls:
        return ()
    parents = {child: node for node in walk(tree) for child in ast.iter_child_nodes(node)}
    calls = [call for call in calls if not _is_data(call, parents)]
    skipped = _skipped_lines(text)
    branches = {call: _enclosing(call, parents, ast.If) for call in calls}
    bindings = _module_bindings(tree)
    found = []
    for call in calls:
        rivals = [other for other in calls if other is not call and branches[other] & branches[call]]
        refusal = None
        keywords = {k.arg: _keyword(k.value, text) for k in call.keywords if k.arg in DOCS_KEYS}
        stars = [k.value for k in call.keywords if k.arg is None]
        if skipped is not None and _marked(call, parents, skipped):
            refusal = SKIPPED
        elif rivals:
            refusal = rival_reason(rivals[0].lineno)
        elif stars:
            resolved = _kwargs_dict(call, stars, keywords, parents, text)
            if isinstance(resolved, str):
                refusal = resolved
            else:
                keywords = resolved
        found.append(DocsSite(
            call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), keywords,
            unknown=bool(stars) and refusal is not None and not rivals, refusal=refusal,
            locals=tuple(_local_bindings(call, parents)), module_bindings=bindings,
        ))
    return tuple(found)


def _skipped_lines(text: str) -> set[int] | None:
    """The lines whose skip marker covers conditional_docs; None when none does (every
    line when the whole file is skipped for it: ``{0}``)."""
    lines, file_names, whole = skip_markers(text)
    if whole or file_names is None or TRANSFORM in file_names:
        return {0}
    found = {line for line, names in lines.items() if names is None or TRANSFORM in names}
    return found or None


def _marked(call: ast.Call, parents: Mapping[ast.AST, ast.AST], lines: set[int]) -> bool:
    """A marker on a line of the simple statement holding ``call``, or on the header
    of a compound statement around it, as `Transform.is_skipped` reads them."""
    if 0 in lines:
        return True
    current = parents.get(call)
    while current is not None:
        if isinstance(current, ast.stmt):
            body = getattr(current, "body", None)
            if isinstance(body, list) and body:
                last = body[0].lineno - 1
            else:
                last = current.end_lineno or current.lineno
            if any(current.lineno <= line <= last for line in lines):
                return True
        current = parents.get(current)
    return False


def _keyword(value: ast.expr, text: str) -> Keyword:
    """As the transform reads the keyword's libcst node (`conditional_docs._keyword`)."""
    if isinstance(value, ast.Constant) and (value.value is None or value.value == ""):
        kind = OFF
    elif isinstance(value, ast.Constant) and isinstance(value.value, str) or isinstance(value, ast.JoinedStr):
        kind = FIXED
    elif isinstance(value, ast.IfExp):
        kind = CONDITIONAL
    else:
        kind = COMPUTED
    condition = None
    if isinstance(value, ast.IfExp) and isinstance(value.orelse, ast.Constant) and value.orelse.value is None:
        condition = _code(value.test, text)
    return Keyword(kind, _code(value, text), condition)


def _code(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or ast.unparse(node)


def _is_data(call: ast.Call, parents: Mapping[ast.AST, ast.AST]) -> bool:
    """``{"app": FastAPI()}`` in a fake ASGI scope: an element of a literal, not an app that serves."""
    parent = parents.get(call)
    return isinstance(parent, (ast.List, ast.Tuple, ast.Set)) or (
        isinstance(parent, ast.Dict) and any(value is call for value in parent.values))


def _enclosing(node: ast.AST, parents: Mapping[ast.AST, ast.AST], kind: type | tuple[type, ...]) -> set[ast.AST]:
    found = set()
    current = parents.get(node)
    while current is not None:
        if isinstance(current, kind):
            found.add(current)
        current = parents.get(current)
    return found


def _scope_of(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> ast.AST:
    current = parents.get(node)
    while current is not None and not isinstance(current, (*SCOPES, ast.Module)):
        current = parents.get(current)
    return current if current is not None else node


def _in_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope`` outside the functions and classes nested in it."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, (*SCOPES, ast.ClassDef)):
            continue
        yield child
        yield from _in_scope(child)


def _kwargs_dict(call: ast.Call, stars: list[ast.expr], explicit: Mapping[str, Keyword],
                 parents: Mapping[ast.AST, ast.AST], text: str) -> dict[str, Keyword] | str:
    """The docs keywords of the dict literal behind ``FastAPI(**name)``, or the refusal."""
    star = stars[0]
    if len(stars) != 1 or explicit or not isinstance(star, ast.Name):
        return kwargs_reason(_code(star, text), "explicit")
    scope = _scope_of(call, parents)
    names = [node for node in _in_scope(scope) if isinstance(node, ast.Name) and node.id == star.id]
    stores = [node for node in names if isinstance(node.ctx, ast.Store)]
    loads = [node for node in names if isinstance(node.ctx, ast.Load)]
    assign = parents.get(stores[0]) if len(stores) == 1 else None
    if not (isinstance(assign, ast.Assign) and len(assign.targets) == 1 and len(loads) == 1):
        return kwargs_reason(star.id, "elsewhere")
    value = assign.value
    if not isinstance(value, ast.Dict) or not all(
            isinstance(key, ast.Constant) and isinstance(key.value, str) for key in value.keys):
        return kwargs_reason(star.id, "not_literal")
    return {key.value: _keyword(item, text) for key, item in zip(value.keys, value.values)  # type: ignore[union-attr]
            if key.value in DOCS_KEYS}  # type: ignore[union-attr]


def _local_bindings(call: ast.Call, parents: Mapping[ast.AST, ast.AST]) -> Iterator[tuple[str, str]]:
    """(name, annotation's last name or "") for what the functions around ``call`` bind."""
    current = parents.get(call)
    while current is not None:
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = current.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                             *filter(None, [arguments.vararg, arguments.kwarg])]:
                annotation = argument.annotation
                tail = ast.unparse(annotation).rpartition(".")[2] if annotation is not None else ""
                yield argument.arg, tail
            for node in _in_scope(current):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    yield node.id, ""
        current = parents.get(current)


def _module_bindings(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """name -> how each top-level statement binds it: ``from M``, ``import M`` or ``other``."""
    found: dict[str, list[str]] = {}
    for node in _in_scope(tree):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                found.setdefault(alias.asname or alias.name, []).append(f"from {module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                found.setdefault(name, []).append("other" if alias.asname else f"import {name}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.setdefault(node.id, []).append("other")
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.setdefault(node.name, []).append("other")
    return {name: tuple(kinds) for name, kinds in found.items()}
