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
DEBUG_FIELDS = ("DEBUG", "debug", "APP_DEBUG", "app_debug")
ENVIRONMENT_FIELDS = tuple(
    spelling
    for name in ("ENVIRONMENT", "ENV", "APP_ENV", "APP_ENVIRONMENT", "FASTAPI_ENV", "ENVIRONMENT_NAME")
    for spelling in (name, name.lower())
)
STARLETTE_CONFIG = frozenset({"starlette.config.Config"})
ENVIRON_READS = frozenset({"os.getenv", "os.environ.get", "os.environ.__getitem__"})
PRODUCTION_LIKE = frozenset(
    {"production", "prod", "staging", "stage", "live", "preprod", "pre-prod", "preproduction", "pre-production"}
)
DEFAULT_ALLOWED = ("local", "development", "dev")
_UNKNOWN = object()


@dataclass(frozen=True)
class Flag:
    """How one setting gates the docs: ``test`` with ``{obj}`` replaced by the
    settings object (by the setting itself for a module-level value); ``serves`` says
    when the docs are served, for the findings."""

    field: str
    test: str
    default_on: bool
    default_text: str
    serves: str = ""


@dataclass(frozen=True)
class SettingsSource:
    """A way to reach a settings object: ``module.name`` (instance), ``module.name()``
    (function) or, for a setting read into a module-level name (Starlette's ``Config``,
    ``os.getenv``), that name itself (value)."""

    module: str
    name: str
    kind: str
    cls: str
    flag: Flag

    def expression(self, local: str) -> str:
        obj = f"{local}()" if self.kind == "function" else local
        return self.flag.test.replace("{obj}", obj)

    def serves(self, local: str) -> str:
        """``settings.DEBUG is true``: when the docs are served."""
        return self.flag.serves.replace("{obj}", f"{local}()" if self.kind == "function" else local)


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
    # Module-level settings read from the environment: (``module.name``, its flag).
    values: list[tuple[str, Flag]] = field(default_factory=list)


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
    return SettingsModule(info.module, classes, functions, pending_instances, imported_from, _values(info, tree, imports))


def _values(info: FileInfo, tree: ast.Module, imports: ImportMap) -> list[tuple[str, Flag]]:
    """``DEBUG = config("DEBUG", cast=bool, default=False)`` (Starlette's ``Config``),
    ``ENV = os.getenv("ENV", "production")``, ``DEBUG = os.getenv("DEBUG", "") == "true"``:
    module-level names holding a debug flag or an environment name."""
    configs = {
        name
        for node in tree.body
        for value, names in [_assigned(node)]
        if isinstance(value, ast.Call) and imports.qualified(value.func) in STARLETTE_CONFIG
        for name in names
    }
    found: list[tuple[str, Flag]] = []
    for node in tree.body:
        value, names = _assigned(node)
        for name in names:
            if value is None:
                continue
            flag = None
            if name in DEBUG_FIELDS:
                flag = _debug_value(name, value, configs, imports)
            elif name in ENVIRONMENT_FIELDS:
                flag = _environment_value(name, value, configs, imports)
            if flag is not None:
                found.append((f"{info.module}.{name}", flag))
    return found


def _environment_read(value: ast.expr, configs: set[str], imports: ImportMap) -> tuple[bool, object] | None:
    """(whether it may be None, the default) of ``config("X", default=...)``,
    ``os.getenv("X", default)``, ``os.environ.get(...)`` or ``os.environ["X"]``."""
    if isinstance(value, ast.Subscript) and imports.qualified(value.value) == "os.environ":
        return False, _UNKNOWN
    if not isinstance(value, ast.Call) or not value.args:
        return None
    keywords = {k.arg: k.value for k in value.keywords}
    if isinstance(value.func, ast.Name) and value.func.id in configs:
        if "cast" in keywords and not (isinstance(keywords["cast"], ast.Name) and keywords["cast"].id == "str"):
            return None
        default = keywords.get("default", value.args[1] if len(value.args) > 1 else None)
    elif imports.qualified(value.func) in ENVIRON_READS:
        default = keywords.get("default", value.args[1] if len(value.args) > 1 else None)
    else:
        return None
    if default is None:
        return "default" not in keywords and not isinstance(value.func, ast.Name), _UNKNOWN
    literal = _default(default)
    return literal is None, literal


def _debug_value(name: str, value: ast.expr, configs: set[str], imports: ImportMap) -> Flag | None:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in configs:
        keywords = {k.arg: k.value for k in value.keywords}
        cast = keywords.get("cast")
        if not (isinstance(cast, ast.Name) and cast.id == "bool"):
            return None
        default = _default(keywords["default"]) if "default" in keywords else _UNKNOWN
        return _bool_flag(name, "{obj}", default)
    # ``os.getenv("DEBUG", "false").lower() == "true"`` / ``... in ("1", "true")``: a bool.
    if isinstance(value, ast.Compare) and len(value.ops) == 1 and isinstance(value.ops[0], (ast.Eq, ast.In)):
        reads = [n for n in walk(value.left) if isinstance(n, ast.Call) and imports.qualified(n.func) in ENVIRON_READS]
        if reads:
            return _bool_flag(name, "{obj}", _UNKNOWN)
    return None


def _environment_value(name: str, value: ast.expr, configs: set[str], imports: ImportMap) -> Flag | None:
    read = _environment_read(value, configs, imports)
    if read is None:
        return None
    optional, default = read
    return _environment_test(name, "{obj}", optional, None, default)


# A module-level setting (`_values`) reads Starlette's Config or the environment.
SETTINGS_MODULES = FilePass(
    "conditional_docs.settings", ("Settings", "settings", "Config", "getenv", "environ"), settings_module
)


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
        self.values: dict[str, list[tuple[str, Flag]]] = {}
        for module in modules:
            for qualified, flag in module.values:
                self.values.setdefault(module.module, []).append((qualified.rpartition(".")[2], flag))
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
        choices = [f for f in (debug, environment) if f is not None]
        return _preferred([("", f) for f in choices])[1] if choices else None

    def debug_flag(self, qualified: str) -> Flag | None:
        """The class's ``DEBUG``/``debug`` bool field, if it has one."""
        fields = self.fields(qualified)
        return next((flag for n in DEBUG_FIELDS if n in fields and (flag := _debug_flag(n, *fields[n]))), None)

    def sources(self, debug_only: bool = False, values: bool = False) -> list[SettingsSource]:
        """Every usable way to reach a settings object, instances before factories;
        with ``debug_only``, those whose class has a debug bool, flagged by it. With
        ``values``, then the module-level settings read from the environment, one per
        module (the one `flag` would pick; the module stands for the class)."""
        found: list[SettingsSource] = []
        for kind, table in (("instance", self.instances), ("function", self.functions)):
            for qualified, cls in sorted(table.items()):
                flag = self.debug_flag(cls) if debug_only else self.flag(cls)
                if flag is not None:
                    module, _, name = qualified.rpartition(".")
                    found.append(SettingsSource(module, name, kind, cls, flag))
        if values:
            for module, flags in sorted(self.values.items()):
                name, flag = _preferred(flags)
                found.append(SettingsSource(module, name, "value", module, flag))
        return found

    def bound_names(self, imported: Iterable[tuple[str, str]], defined: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Resolved qualified name -> local name, for what a module imports
        (qualified, local) and defines (``module.name``, name)."""
        bound = {}
        for qualified, local in imported:
            resolved = qualified if qualified in self.modules else self.resolve(qualified)
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
    # ``from app import config`` then ``config.settings``/``config.DEBUG``
    through = [s for s in sources if s.module in bound]
    if through:
        return SourceChoice(through[0], f"{bound[through[0].module]}.{through[0].name}", None)
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


def _preferred(flags: list[tuple[str, Flag]]) -> tuple[str, Flag]:
    """The debug flag when the project has one, unless its default turns the docs on
    and an environment name's does not (see the README)."""
    ordered = sorted(flags, key=lambda item: item[1].field not in DEBUG_FIELDS)
    closed = [item for item in ordered if not item[1].default_on]
    return (closed or ordered)[0]


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
    return _bool_flag(name, f"{{obj}}.{name}", _default(value))


def _bool_flag(name: str, test: str, default: object) -> Flag:
    return Flag(name, test, default is True, repr(default) if default is not _UNKNOWN else "", f"{test} is true")


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
    names = set(_annotation_names(annotation))
    if literal is None and names - {"None"} != {"str"}:
        return None
    optional = "None" in names or (
        isinstance(annotation, ast.Subscript) and _annotation_names(annotation.value) == ["Optional"]
    )
    return _environment_test(name, f"{{obj}}.{name}", optional, literal, _default(value))


def _environment_test(
    name: str, setting: str, optional: bool, literal: list[str] | None, default: object
) -> Flag | None:
    """``setting in (...)`` for a ``Literal`` (its values are exact: Pydantic checks
    them), else the default allow-list compared case-insensitively (``Local`` and
    ``DEV`` count), with ``or ""`` when the setting may be None."""
    if literal is not None:
        allowed = tuple(v for v in literal if v.lower() not in PRODUCTION_LIKE)
        read = setting
    else:
        allowed = DEFAULT_ALLOWED
        read = f"({setting} or \"\").lower()" if optional else f"{setting}.lower()"
    if not allowed:
        return None
    values = ", ".join(_quote(v) for v in allowed) + ("," if len(allowed) == 1 else "")
    on = isinstance(default, str) and (default in allowed if literal is not None else default.lower() in allowed)
    shown = (", ".join(allowed[:-1]) + " or " if len(allowed) > 1 else "") + allowed[-1]
    shown += "" if literal is not None else ", in any case"
    return Flag(
        name,
        f"{read} in ({values})",
        on,
        repr(default) if default is not _UNKNOWN else "",
        f"{setting} is {shown}",
    )


def _quote(value: str) -> str:
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text
