"""The repository's Pydantic models, read once with the stdlib ``ast``.

``return_orm_objects`` may replace a hand-built dict by the object it was copied
from only when it knows the response model exactly: every field (inherited ones
too, across modules), its aliases, its configuration and its validators. This
module collects those facts in a read-only pass over the files that mention
``BaseModel`` or ``pydantic`` and resolves each model along its bases. Anything
it cannot read (a base defined elsewhere, a configuration built at run time, a
class body with logic) makes the model unknown rather than guessed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap, router_and_app_names
from fastapi_codemods.analysis.candidates import Candidates
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo

PYDANTIC_V2_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
PYDANTIC_V1_BASES = frozenset({"pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel"})
NEUTRAL_BASES = frozenset({"typing.Generic", "typing_extensions.Generic", "abc.ABC", "object"})
# Importing any of these only works with Pydantic 2 installed.
V2_ONLY_NAMES = frozenset(
    f"pydantic.{name}"
    for name in (
        "ConfigDict",
        "field_validator",
        "model_validator",
        "computed_field",
        "field_serializer",
        "model_serializer",
        "TypeAdapter",
        "RootModel",
        "AliasChoices",
        "AliasPath",
        "config.ConfigDict",
        "functional_validators.field_validator",
        "functional_validators.model_validator",
    )
)
CONFIG_KEYS = frozenset(
    {
        "from_attributes",
        "orm_mode",
        "populate_by_name",
        "validate_by_name",
        "validate_by_alias",
        "allow_population_by_field_name",
        "alias_generator",
    }
)
ALIAS_KEYWORDS = ("alias", "validation_alias", "serialization_alias")
BEFORE_VALIDATOR_TYPES = frozenset({"BeforeValidator", "WrapValidator", "PlainValidator"})
UNKNOWN = "<expression>"


@dataclass(frozen=True)
class FieldFacts:
    """One annotated field as written in one class body."""

    name: str
    has_default: bool
    # (keyword, value as written) for alias, validation_alias, serialization_alias
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ClassFacts:
    """One class as written: what its own body says, bases unresolved."""

    qualname: str
    path: str
    line: int
    bases: tuple[str, ...]
    fields: tuple[FieldFacts, ...]
    config: tuple[tuple[str, Any], ...]
    before_validators: tuple[str, ...]
    problems: tuple[str, ...]
    settings: tuple[tuple[str, str, int], ...] = ()
    """Every configuration setting the body writes, any key: (key, value as written, line)."""


@dataclass(frozen=True)
class Model:
    """A model resolved along its bases: what FastAPI will see at run time."""

    qualname: str
    fields: dict[str, FieldFacts]
    # "v1", "v2" or "unknown" (plain `pydantic.BaseModel` in a project showing no v2-only API)
    version: str
    config: dict[str, Any]
    before_validators: tuple[str, ...]
    problem: str | None = None
    path: str = ""
    bases: tuple[str, ...] = ()
    """The direct bases' qualified names, re-exports followed."""
    settings: tuple[tuple[str, str, int], ...] = ()
    """The class's own configuration settings (`ClassFacts.settings`), not inherited ones."""

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    def is_true(self, *keys: str) -> bool:
        """Whether the merged configuration sets any of ``keys`` to the literal True."""
        return any(self.config.get(key) is True for key in keys)


@dataclass(frozen=True)
class ModelIndex:
    """Picklable project facts: models by qualified name, re-exports, app/router names."""

    models: dict[str, Model] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    routers: frozenset[str] = frozenset()
    candidates: Candidates | None = None
    """Files ``return_orm_objects`` may rewrite or report on; None: not computed."""

    def canonical(self, qualname: str) -> str:
        """Follow re-exports (``from .report import ReportResponse`` in a package)."""
        seen: set[str] = set()
        while qualname in self.aliases and qualname not in seen:
            seen.add(qualname)
            qualname = self.aliases[qualname]
        return qualname

    def model(self, qualname: str) -> Model | None:
        return self.models.get(self.canonical(qualname))

    def is_router(self, qualname: str) -> bool:
        return self.canonical(qualname) in self.routers


@dataclass(frozen=True)
class ModelModule:
    """One module as `build_index` reads it (the per-file pass's result): its
    top-level classes as (name, last names of the bases, facts), whether it shows
    Pydantic 2, its imports as (local name, qualified name) and the module-level
    names it binds to an app or router."""

    classes: tuple[tuple[str, tuple[str, ...], ClassFacts], ...]
    v2: bool
    imported: tuple[tuple[str, str], ...]
    routers: tuple[str, ...]
    header_words: frozenset[str] = frozenset()
    """The words between the parentheses of ``class X(...)`` lines of the text (in
    strings too): a subclass of a model found elsewhere names it there."""


def model_module(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ModelModule:
    imports = ImportMap(tree, info.package)
    local_classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    classes = tuple(
        (node.name, tuple(_last_name(base) for base in node.bases),
         read_class(node, info.module, info.path, imports, local_classes))
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    )
    return ModelModule(
        classes=classes,
        v2=uses_v2_api(tree, imports),
        imported=tuple(imports.names.items()),
        routers=tuple(router_and_app_names(tree, imports)),
        header_words=frozenset(
            word for bases in _CLASS_HEADER.findall(text) for word in _WORD.findall(bases)
        ),
    )


_CLASS_HEADER = re.compile(r"^\s*class\s+\w+\s*\(([^)]*)", re.MULTILINE)
_WORD = re.compile(r"\w+")


def _is_package(info: FileInfo) -> bool:
    return info.relpath.endswith("__init__.py")


# Files that may define a model (subclasses of the project's own models need not say
# "pydantic"), packages (re-exports) and files building an app or router.
MODEL_MODULES = FilePass(
    "return_orm_objects.models", ("class", "BaseModel", "pydantic", "FastAPI", "APIRouter"), model_module,
    also=_is_package,
)


def build_index(project: Any) -> ModelIndex:
    """Read every file that can define a model, then resolve each class."""
    read: dict[Any, ModelModule] = {path: found for path, _, found in project.results(MODEL_MODULES, {})}

    def module_of(path: Any, info: FileInfo) -> ModelModule | None:
        if path not in read:
            tree = project.tree(path)
            if tree is None:
                return None
            read[path] = model_module(info, tree, project.text(path) or "", {})
        return read[path]

    classes: dict[str, ClassFacts] = {}
    aliases: dict[str, str] = {}
    v2_project = False
    seen: set[Any] = set()
    model_names: set[str] = {"BaseModel"}
    batch = [(path, info) for path, info in project.files if _mentions(project.text(path), ("BaseModel", "pydantic"))]
    # Subclasses of the project's own models may live in files that never say "pydantic":
    # look again in files with a `class X(...Name...)` line naming a model found so far
    # (a file ast cannot read adds nothing: it is left out).
    while batch:
        found: set[str] = set()
        for path, info in batch:
            seen.add(path)
            module = module_of(path, info)
            if module is None:
                continue
            v2_project = v2_project or module.v2
            for name, bases, facts in module.classes:
                classes[facts.qualname] = facts
                if any(base in model_names for base in bases):
                    model_names.add(name)
                    found.add(name)
        if not found:
            break
        batch = [
            (path, info)
            for path, info in project.files
            if path not in seen and path in read and not read[path].header_words.isdisjoint(found)
        ]
    routers: set[str] = set()
    for path, info in project.files:
        if _mentions(project.text(path), ("FastAPI", "APIRouter")) and (module := module_of(path, info)) is not None:
            routers.update(f"{info.module}.{name}" for name in module.routers)
    # Re-exports (`from .report import ReportResponse`) live in the files read above or in
    # packages' __init__.py; reading every importer of a model would parse the whole project.
    short_names = {qualname.rpartition(".")[2] for qualname in classes} | {q.rpartition(".")[2] for q in routers}
    for path, info in project.files:
        if path not in seen and not _is_package(info):
            continue
        # A module's imports name a short name only if its text does: skip reading the others.
        if path not in read and not any(name in (project.text(path) or "") for name in short_names):
            continue
        module = module_of(path, info)
        if module is None:
            continue
        for local, target in module.imported:
            if local in short_names or target.rpartition(".")[2] in short_names:
                aliases[f"{info.module}.{local}"] = target
    index = ModelIndex(aliases=aliases, routers=frozenset(routers))
    resolver = _Resolver(classes, index, v2_project)
    models = {}
    for qualname in classes:
        model = resolver.resolve(qualname)
        if model is not None:
            models[qualname] = model
    return ModelIndex(models=models, aliases=aliases, routers=frozenset(routers))


def uses_v2_api(tree: ast.Module, imports: ImportMap) -> bool:
    """Whether the module uses a name that only exists in Pydantic 2 (so Pydantic 2 is installed)."""
    if any(name in V2_ONLY_NAMES or name.startswith("pydantic_settings") for name in imports.names.values()):
        return True
    # `model_config = ...` in a class body is Pydantic 2's configuration (v1 reads `class Config`).
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
                )
                if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                    return True
    return any(imports.qualified(node) in V2_ONLY_NAMES for node in nodes_of(tree, ast.Attribute))


def _mentions(text: str | None, needles: tuple[str, ...]) -> bool:
    return text is not None and any(needle in text for needle in needles)


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def read_class(node: ast.ClassDef, module: str, path: str, imports: ImportMap, local_classes: set[str]) -> ClassFacts:
    """What one class body says about fields, configuration and validators."""
    bases = tuple(_base_name(base, module, imports, local_classes) for base in node.bases)
    fields: list[FieldFacts] = []
    config: dict[str, Any] = {}
    validators: list[str] = []
    problems: list[str] = []
    for keyword in node.keywords:
        if keyword.arg in CONFIG_KEYS:
            config[keyword.arg] = _literal(keyword.value)
        elif keyword.arg is None:
            problems.append("its class keywords unpack `**` a mapping")
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if name == "model_config":
                _read_model_config(statement.value, imports, config, problems)
            elif not name.startswith("_") and not _is_classvar(statement.annotation, imports):
                fields.append(_field(name, statement, imports))
                validators.extend(
                    f"{kind} on field `{name}`" for kind in _annotated_validators(statement.annotation, imports)
                )
        elif isinstance(statement, ast.Assign):
            names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
            if names == ["model_config"]:
                _read_model_config(statement.value, imports, config, problems)
            elif len(names) != len(statement.targets) or any(not n.startswith("__") for n in names):
                problems.append(f"line {statement.lineno} assigns an attribute without annotation")
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            _read_config_class(statement, config, problems)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            validators.extend(_before_validators(statement, imports))
        elif isinstance(statement, (ast.Expr, ast.Pass, ast.ClassDef)):
            continue
        else:
            problems.append(f"its body has a `{type(statement).__name__}` statement at line {statement.lineno}")
    return ClassFacts(
        qualname=f"{module}.{node.name}",
        path=path,
        line=node.lineno,
        bases=bases,
        fields=tuple(fields),
        config=tuple(config.items()),
        before_validators=tuple(validators),
        problems=tuple(problems),
        settings=config_settings(node, imports),
    )


def config_settings(node: ast.ClassDef, imports: ImportMap) -> tuple[tuple[str, str, int], ...]:
    """(key, value as written, line) of every configuration setting of a class: its
    class keywords (``class X(BaseModel, extra="forbid")``), its ``model_config =
    ConfigDict(...)`` or dict literal and its ``class Config`` assignments. Unlike
    `read_class`'s config, every key counts: practice 7 looks for any repeated one."""
    found = [(k.arg, ast.unparse(k.value), k.value.lineno) for k in node.keywords if k.arg not in (None, "metaclass")]
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Config":
            found.extend(_config_class_settings(statement))
            continue
        target, value = single_assignment(statement)
        if target != "model_config" or value is None:
            continue
        if isinstance(value, ast.Call) and imports.qualified(value.func) in ("pydantic.ConfigDict", "pydantic.config.ConfigDict"):
            found.extend((k.arg, ast.unparse(k.value), k.value.lineno) for k in value.keywords if k.arg)
        elif isinstance(value, ast.Dict):
            found.extend(
                (key.value, ast.unparse(item), key.lineno)
                for key, item in zip(value.keys, value.values)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            )
    return tuple(found)


def _config_class_settings(node: ast.ClassDef) -> list[tuple[str, str, int]]:
    found = []
    for statement in node.body:
        target, value = single_assignment(statement)
        if target is not None and value is not None:
            found.append((target, ast.unparse(value), statement.lineno))
    return found


def single_assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """(name, value) of ``name = value`` or ``name: T = value``; (None, None) otherwise
    (also for ``name: T`` without a value: its value is None)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _base_name(base: ast.expr, module: str, imports: ImportMap, local_classes: set[str]) -> str:
    if isinstance(base, ast.Name) and base.id in local_classes:
        return f"{module}.{base.id}"
    if isinstance(base, ast.Subscript):
        target = imports.qualified(base.value)
        if target in ("typing.Generic", "typing_extensions.Generic"):
            return target
        return "?" + ast.unparse(base)
    return imports.qualified(base) or "?" + ast.unparse(base)


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


def _read_model_config(value: ast.expr | None, imports: ImportMap, config: dict[str, Any], problems: list[str]) -> None:
    if isinstance(value, ast.Call) and imports.qualified(value.func) in (
        "pydantic.ConfigDict",
        "pydantic.config.ConfigDict",
    ):
        if value.args:
            problems.append("its model_config passes positional arguments")
        for keyword in value.keywords:
            if keyword.arg is None:
                problems.append("its model_config unpacks `**` a mapping")
            elif keyword.arg in CONFIG_KEYS:
                config[keyword.arg] = _literal(keyword.value)
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                problems.append("its model_config has keys that are not plain strings")
            elif key.value in CONFIG_KEYS:
                config[key.value] = _literal(item)
    else:
        problems.append("its model_config is not a ConfigDict(...) or dict literal")


def _read_config_class(node: ast.ClassDef, config: dict[str, Any], problems: list[str]) -> None:
    for statement in node.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in CONFIG_KEYS and value is not None:
                config[target.id] = _literal(value)
        if not isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass, ast.FunctionDef)):
            problems.append(f"its class Config has a `{type(statement).__name__}` statement")


def _is_classvar(annotation: ast.expr, imports: ImportMap) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Name) and annotation.id == "ClassVar":
        return True
    return imports.qualified(annotation) in ("typing.ClassVar", "typing_extensions.ClassVar")


def _field(name: str, statement: ast.AnnAssign, imports: ImportMap) -> FieldFacts:
    aliases: list[tuple[str, str]] = []
    for part in (statement.annotation, statement.value):
        for call in _calls(part):
            aliases.extend(
                (keyword.arg, ast.unparse(keyword.value)) for keyword in call.keywords if keyword.arg in ALIAS_KEYWORDS
            )
    return FieldFacts(name=name, has_default=_has_default(statement.value, imports), aliases=tuple(aliases))


def _calls(node: ast.AST | None) -> Iterable[ast.Call]:
    if node is None:
        return []
    return [sub for sub in walk(node) if isinstance(sub, ast.Call)]


def _has_default(value: ast.expr | None, imports: ImportMap) -> bool:
    if value is None:
        return False
    if isinstance(value, ast.Call) and (imports.qualified(value.func) or "").endswith(".Field"):
        if value.args:
            first = value.args[0]
            return not (isinstance(first, ast.Constant) and first.value is Ellipsis)
        return any(keyword.arg in ("default", "default_factory") for keyword in value.keywords)
    return True


def _annotated_validators(annotation: ast.expr, imports: ImportMap) -> list[str]:
    found = []
    for node in walk(annotation):
        if isinstance(node, ast.Call):
            target = imports.qualified(node.func) or ""
            if target.startswith("pydantic") and target.rpartition(".")[2] in BEFORE_VALIDATOR_TYPES:
                found.append(target.rpartition(".")[2])
    return found


def _before_validators(function: ast.FunctionDef | ast.AsyncFunctionDef, imports: ImportMap) -> list[str]:
    """Validators that see the raw input (a dict today, the object after the rewrite)."""
    found = []
    for decorator in function.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = imports.qualified(call.func if call else decorator) or ""
        if not target.startswith("pydantic"):
            continue
        kind = target.rpartition(".")[2]
        keywords = {k.arg: _literal(k.value) for k in (call.keywords if call else []) if k.arg}
        mode = keywords.get("mode")
        if kind in ("field_validator", "model_validator") and mode in ("before", "wrap", "plain", UNKNOWN):
            found.append(f'`{function.name}` (@{kind}(mode="{mode}"))')
        elif kind in ("validator", "root_validator") and keywords.get("pre") not in (None, False):
            found.append(f"`{function.name}` (@{kind}(pre=True))")
    return found


class _Resolver:
    """Merges classes along their bases the way Pydantic does."""

    def __init__(self, classes: dict[str, ClassFacts], index: ModelIndex, v2_project: bool) -> None:
        self.classes = classes
        self.index = index
        self.v2_project = v2_project
        self.done: dict[str, Model | None] = {}

    def resolve(self, qualname: str, depth: int = 0) -> Model | None:
        """The model, a model carrying a problem, or None for a class that is no model."""
        if qualname in self.done:
            return self.done[qualname]
        self.done[qualname] = None
        facts = self.classes[qualname]
        fields: dict[str, FieldFacts] = {}
        config: dict[str, Any] = {}
        validators: list[str] = []
        problems = [f"{facts.qualname.rpartition('.')[2]} {problem}" for problem in facts.problems]
        versions: set[str] = set()
        is_model = False
        for base in facts.bases:
            base = self.index.canonical(base)
            if base in PYDANTIC_V2_BASES or base in PYDANTIC_V1_BASES:
                is_model = True
                versions.add("v1" if base in PYDANTIC_V1_BASES else "v2")
            elif base in NEUTRAL_BASES:
                continue
            elif base in self.classes and depth < 50:
                parent = self.resolve(base, depth + 1)
                if parent is None:
                    problems.append(
                        f"it inherits from `{base}`, a plain class: its annotations may or may not be fields"
                    )
                    continue
                is_model = True
                versions.add(parent.version)
                # Pydantic merges base configs in order, later bases winning, then the class's own.
                for name, value in parent.fields.items():
                    previous = fields.get(name)
                    aliases = tuple({*(previous.aliases if previous else ()), *value.aliases})
                    fields[name] = FieldFacts(name, value.has_default, aliases)
                config.update(parent.config)
                validators.extend(parent.before_validators)
                if parent.problem:
                    problems.append(parent.problem)
            else:
                problems.append(f"it inherits from `{base.lstrip('?')}`, which is not a model defined in this project")
        for own in facts.fields:
            previous = fields.get(own.name)
            aliases = tuple({*(previous.aliases if previous else ()), *own.aliases})
            fields[own.name] = FieldFacts(own.name, own.has_default, aliases)
        config.update(dict(facts.config))
        validators.extend(facts.before_validators)
        if not is_model and not problems:
            return None
        if not is_model:
            # An unresolvable base might be a model: keep the class, unusable.
            versions.add("unknown")
        if "v1" in versions:
            version = "v1"
        elif versions == {"v2"} and self.v2_project:
            version = "v2"
        else:
            version = "unknown"
        model = Model(
            qualname=qualname,
            fields=fields,
            version=version,
            config=config,
            before_validators=tuple(dict.fromkeys(validators)),
            problem="; ".join(dict.fromkeys(problems)) or None,
            path=facts.path,
            bases=tuple(self.index.canonical(base) for base in facts.bases),
            settings=facts.settings,
        )
        self.done[qualname] = model
        return model
