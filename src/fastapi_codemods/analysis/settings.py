"""Finding a project's Pydantic settings object and the flag that should gate its docs.

Read-only, stdlib ``ast`` (the project pass). A settings class is a subclass of
``pydantic_settings.BaseSettings`` (or Pydantic v1's ``pydantic.BaseSettings``),
directly or through other classes of the project. Its object is reachable as a
module-level instance (``settings = Settings()`` or ``settings = get_settings()``)
or through a factory function returning it (``def get_settings() -> Settings``).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo

BASE_SETTINGS = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
    }
)
DEBUG_FIELDS = ("DEBUG", "debug")
ENVIRONMENT_FIELDS = ("ENVIRONMENT", "environment", "ENV", "env", "APP_ENV", "app_env")
PRODUCTION_LIKE = frozenset(
    {"production", "prod", "staging", "stage", "live", "preprod", "pre-prod", "preproduction", "pre-production"}
)
DEFAULT_ALLOWED = ("local", "development", "dev")
_UNKNOWN = object()


@dataclass(frozen=True)
class Flag:
    """How one settings field gates the docs: ``test`` is written after the object."""

    field: str
    test: str
    default_on: bool
    default_text: str


@dataclass(frozen=True)
class SettingsSource:
    """A way to reach a settings object: ``module.name`` (instance) or ``module.name()``."""

    module: str
    name: str
    kind: str
    cls: str
    flag: Flag

    def expression(self, local: str) -> str:
        obj = f"{local}()" if self.kind == "function" else local
        return f"{obj}{self.flag.test}"


@dataclass
class _Class:
    qualified: str
    bases: list[str]
    fields: dict[str, tuple[ast.expr, ast.expr | None]] = field(default_factory=dict)


def _qualified_in(module: str, imports: ImportMap, node: ast.expr, local_classes: set[str]) -> str | None:
    if isinstance(node, ast.Name) and node.id in local_classes:
        return f"{module}.{node.id}"
    return imports.qualified(node)


def _return_class(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The class a settings factory returns: its annotation, else ``return Cls()``."""
    if node.returns is not None:
        return node.returns
    returns = [n for n in walk(node) if isinstance(n, ast.Return) and isinstance(n.value, ast.Call)]
    if len(returns) == 1:
        return returns[0].value.func
    return None


@dataclass
class SettingsModule:
    """What one module says about settings (the per-file pass's result): its
    classes, functions returning a class, module-level ``name = callee()`` and
    absolute ``from X import Y`` names, each in source order."""

    module: str
    classes: list[_Class]
    functions: list[tuple[str, str]]
    pending_instances: list[tuple[str, str, str | None, bool]]
    imported_from: list[tuple[str, str]]


def settings_module(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> SettingsModule:
    imports = ImportMap(tree, info.package)
    local_classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    classes: list[_Class] = []
    functions: list[tuple[str, str]] = []
    pending_instances: list[tuple[str, str, str | None, bool]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = _Class(
                f"{info.module}.{node.name}",
                [q for b in node.bases if (q := _qualified_in(info.module, imports, b, local_classes))],
            )
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    cls.fields[item.target.id] = (item.annotation, item.value)
            classes.append(cls)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returned = _return_class(node)
            if returned is not None:
                target = _qualified_in(info.module, imports, returned, local_classes)
                if target:
                    functions.append((f"{info.module}.{node.name}", target))
        value, names = _assigned(node)
        if isinstance(value, ast.Call) and not value.args and names:
            callee = value.func
            local_function = isinstance(callee, ast.Name) and any(
                isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == callee.id
                for n in tree.body
            )
            target = (
                f"{info.module}.{callee.id}"
                if local_function and isinstance(callee, ast.Name)
                else _qualified_in(info.module, imports, callee, local_classes)
            )
            for name in names:
                pending_instances.append((f"{info.module}.{name}", info.module, target, local_function))
    imported_from = [
        (node.module, alias.name)
        for node in nodes_of(tree, ast.ImportFrom)
        if not node.level and node.module
        for alias in node.names
    ]
    return SettingsModule(info.module, classes, functions, pending_instances, imported_from)


SETTINGS_MODULES = FilePass("conditional_docs.settings", ("Settings", "settings"), settings_module)


class SettingsIndex:
    """Settings classes, instances and factories of a whole project."""

    def __init__(self, modules: list[SettingsModule]) -> None:
        self.modules = {module.module for module in modules}
        self._resolved: dict[str, str | None] = {}
        # Module names by each dotted tail (``core.config`` for ``app.core.config``).
        self._by_suffix: dict[str, list[str]] = {}
        for known in self.modules:
            parts = known.split(".")
            for start in range(1, len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(known)
        self.classes: dict[str, _Class] = {}
        self.instances: dict[str, str] = {}
        self.functions: dict[str, str] = {}
        pending_instances: list[tuple[str, str, str | None, bool]] = []
        for module in modules:
            for cls in module.classes:
                self.classes[cls.qualified] = cls
            self.functions.update(module.functions)
            pending_instances.extend(module.pending_instances)
        for qualified, _, target, _ in pending_instances:
            if target is None:
                continue
            resolved = self.resolve(target)
            cls = self.functions.get(resolved or "", resolved)
            cls = self.resolve(cls) if cls else None
            if cls and self.is_settings(cls):
                self.instances[qualified] = cls
        self.functions = {
            name: resolved
            for name, cls in self.functions.items()
            if (resolved := self.resolve(cls)) and self.is_settings(resolved)
        }

    def resolve(self, qualified: str) -> str | None:
        """A dotted name as the project knows it, allowing a different import root.

        ``app.core.config.Settings`` matches the module ``backend.app.core.config`` when
        the tool runs one folder above the project's own import root.
        """
        if qualified in BASE_SETTINGS:
            return qualified
        if qualified not in self._resolved:
            self._resolved[qualified] = self._resolve(qualified)
        return self._resolved[qualified]

    def _resolve(self, qualified: str) -> str | None:
        module, _, name = qualified.rpartition(".")
        if module in self.modules:
            return qualified
        matches = self._by_suffix.get(module, []) if module else []
        if len(matches) == 1:
            return f"{matches[0]}.{name}"
        return None

    def is_settings(self, qualified: str, seen: frozenset[str] = frozenset()) -> bool:
        if qualified in BASE_SETTINGS:
            return True
        cls = self.classes.get(qualified)
        if cls is None or qualified in seen:
            return False
        return any(
            (resolved := self.resolve(base)) is not None and self.is_settings(resolved, seen | {qualified})
            for base in cls.bases
        )

    def fields(self, qualified: str) -> dict[str, tuple[ast.expr, ast.expr | None]]:
        """Annotated fields, inherited ones first (a subclass overrides a base)."""
        cls = self.classes.get(qualified)
        if cls is None:
            return {}
        merged: dict[str, tuple[ast.expr, ast.expr | None]] = {}
        for base in reversed(cls.bases):
            resolved = self.resolve(base)
            if resolved and resolved != qualified:
                merged.update(self.fields(resolved))
        merged.update(cls.fields)
        return merged

    def flag(self, qualified: str) -> Flag | None:
        """The gate for a settings class (see the README for the choice)."""
        fields = self.fields(qualified)
        debug = next((_debug_flag(n, *fields[n]) for n in DEBUG_FIELDS if n in fields), None)
        environment = next((_environment_flag(n, *fields[n]) for n in ENVIRONMENT_FIELDS if n in fields), None)
        choices = [f for f in (environment, debug) if f is not None]
        if not choices:
            return None
        closed = [f for f in choices if not f.default_on]
        return (closed or choices)[0]

    def debug_flag(self, qualified: str) -> Flag | None:
        """The class's ``DEBUG``/``debug`` bool field, if it has one."""
        fields = self.fields(qualified)
        return next((flag for n in DEBUG_FIELDS if n in fields and (flag := _debug_flag(n, *fields[n]))), None)

    def sources(self, debug_only: bool = False) -> list[SettingsSource]:
        """Every usable way to reach a settings object, instances before factories;
        with ``debug_only``, those whose class has a debug bool, flagged by it."""
        found: list[SettingsSource] = []
        for kind, table in (("instance", self.instances), ("function", self.functions)):
            for qualified, cls in sorted(table.items()):
                flag = self.debug_flag(cls) if debug_only else self.flag(cls)
                if flag is not None:
                    module, _, name = qualified.rpartition(".")
                    found.append(SettingsSource(module, name, kind, cls, flag))
        return found

    def bound_names(self, imported: Iterable[tuple[str, str]], defined: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Resolved qualified name -> local name, for what a module imports
        (qualified, local) and defines (``module.name``, name)."""
        bound = {}
        for qualified, local in imported:
            resolved = self.resolve(qualified)
            if resolved:
                bound[resolved] = local
        for qualified, local in defined:
            bound[qualified] = local
        return bound


@dataclass(frozen=True)
class SourceChoice:
    """The settings object a module should read: under ``local``, after importing
    ``import_from`` (module, name) when the module does not bind it yet."""

    source: SettingsSource
    local: str
    import_from: tuple[str, str] | None


def choose_source(
    module: str, bound: Mapping[str, str], sources: list[SettingsSource], import_names: Mapping[str, str]
) -> SourceChoice | list[str]:
    """The source a module already binds, else the one nearest to it in the package
    tree (imported the way the project spells it); when there is none, or the nearest
    ones are of different classes, the competing ``module.name`` (empty for none)."""
    here = [s for s in sources if f"{s.module}.{s.name}" in bound]
    if here:
        return SourceChoice(here[0], bound[f"{here[0].module}.{here[0].name}"], None)
    if not sources:
        return []

    def closeness(source: SettingsSource) -> int:
        shared = 0
        for a, b in zip(source.module.split("."), module.split(".")):
            if a != b:
                break
            shared += 1
        return shared

    best = max(closeness(s) for s in sources)
    nearest = [s for s in sources if closeness(s) == best]
    if len({s.cls for s in nearest}) > 1:
        return sorted(f"{s.module}.{s.name}" for s in nearest)
    chosen = nearest[0]
    spelled = import_names.get(f"{chosen.module}.{chosen.name}", chosen.module)
    return SourceChoice(chosen, chosen.name, (spelled, chosen.name))


def import_spellings(modules: list[SettingsModule], index: SettingsIndex) -> dict[str, str]:
    """How the project itself imports each settings object (the most common spelling)."""
    seen: dict[str, Counter[str]] = {}
    for module in modules:
        for source, name in module.imported_from:
            resolved = index.resolve(f"{source}.{name}")
            if resolved and (resolved in index.instances or resolved in index.functions):
                seen.setdefault(resolved, Counter())[source] += 1
    return {name: counter.most_common(1)[0][0] for name, counter in seen.items()}


def _assigned(node: ast.stmt) -> tuple[ast.expr | None, list[str]]:
    if isinstance(node, ast.Assign):
        return node.value, [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.value, [node.target.id]
    return None, []


def _default(value: ast.expr | None) -> object:
    """The literal default of a field (``x = 1`` or ``Field(1)``/``Field(default=1)``)."""
    if value is None:
        return _UNKNOWN
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg == "default":
                return _default(keyword.value)
        return _default(value.args[0]) if value.args else _UNKNOWN
    if isinstance(value, ast.Constant):
        return value.value
    return _UNKNOWN


def _annotation_names(annotation: ast.expr) -> list[str]:
    """``bool`` / ``Optional[bool]`` / ``bool | None`` -> the plain type names in it."""
    if isinstance(annotation, ast.Name):
        return [annotation.id]
    if isinstance(annotation, ast.Attribute):
        return [annotation.attr]
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _annotation_names(annotation.left) + _annotation_names(annotation.right)
    if isinstance(annotation, ast.Subscript) and _annotation_names(annotation.value) in (["Optional"], ["Union"]):
        inner = annotation.slice
        parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return [name for part in parts for name in _annotation_names(part)]
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return ["None"]
    return ["?"]


def _debug_flag(name: str, annotation: ast.expr, value: ast.expr | None) -> Flag | None:
    if {n for n in _annotation_names(annotation) if n != "None"} != {"bool"}:
        return None
    default = _default(value)
    return Flag(name, f".{name}", default is True, repr(default) if default is not _UNKNOWN else "")


def _literal_values(annotation: ast.expr) -> list[str] | None:
    if isinstance(annotation, ast.Subscript):
        base = annotation.value
        base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
        if base_name == "Literal":
            inner = annotation.slice
            parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                return [p.value for p in parts]  # type: ignore[union-attr]
    return None


def _environment_flag(name: str, annotation: ast.expr, value: ast.expr | None) -> Flag | None:
    literal = _literal_values(annotation)
    if literal is not None:
        allowed = tuple(v for v in literal if v.lower() not in PRODUCTION_LIKE)
    elif {n for n in _annotation_names(annotation) if n != "None"} == {"str"}:
        allowed = DEFAULT_ALLOWED
    else:
        return None
    if not allowed:
        return None
    default = _default(value)
    values = ", ".join(_quote(v) for v in allowed) + ("," if len(allowed) == 1 else "")
    return Flag(
        name,
        f".{name} in ({values})",
        default in allowed,
        repr(default) if default is not _UNKNOWN else "",
    )


def _quote(value: str) -> str:
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text
