"""Practice 7: the same model configuration repeated instead of one project base model.

Reads the project's Pydantic models with `analysis.models` (``build_index``): the
top-level classes of the application's modules (test code, test helpers and
documentation snippets aside) deriving from ``pydantic.BaseModel`` (v1 or v2) or
``sqlmodel.SQLModel``, directly or through the project's own classes, re-exports
followed. ``BaseSettings`` classes are settings, not schemas: they do not count.

A configuration setting is one key and its value as written, wherever the class
writes it: ``model_config = ConfigDict(from_attributes=True)`` (or a dict literal),
``class Config: orm_mode = True``, or a class keyword (``class X(BaseModel,
extra="forbid")``). Pydantic 1 names count as their Pydantic 2 successors
(``orm_mode`` is ``from_attributes``, ``allow_population_by_field_name`` is
``populate_by_name``...), so ``orm_mode = True`` and ``from_attributes=True`` are
the same setting. A class repeats a setting when it writes it, none of its bases
already carries that same value, and no project model derives from it: a base
carrying a setting is the cure, not a repetition (so is any model with
subclasses, even one that is a schema itself: a repetition may go unseen there).

A project base model (a model deriving straight from Pydantic's base that other
project models derive from, ``class Schema(BaseModel)``) is the fix already in
place: a setting its descendants write is a deliberate per-model choice (input
models that forbid extra fields), not a repetition; only models bypassing every
project base can repeat. Keys that are per model by nature (SQLModel's ``table``,
``title``, ``json_schema_extra``, ``arbitrary_types_allowed``: only the models
holding such types need it) never repeat.

Verdict: fewer than 3 models: NOT APPLICABLE. One setting repeated by 3 or more
models: FAIL, with each repeating class's setting line as evidence (the classes
sharing a base that carries it do not repeat it). Otherwise PASS: the models share
a base carrying their configuration, or repeat none.
"""

from __future__ import annotations

from collections import defaultdict

from fastapi_codemods.analysis.models import MODEL_MODULES, PYDANTIC_V1_BASES, PYDANTIC_V2_BASES, Model, build_index
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

MODEL_BASES = PYDANTIC_V1_BASES | PYDANTIC_V2_BASES | {"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"}
V1_NAMES = {
    "orm_mode": "from_attributes",
    "allow_population_by_field_name": "populate_by_name",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_lower": "str_to_lower",
    "anystr_upper": "str_to_upper",
    "min_anystr_length": "str_min_length",
    "max_anystr_length": "str_max_length",
    "schema_extra": "json_schema_extra",
    "allow_mutation": "frozen",
}
MINIMUM_MODELS = 3
MINIMUM_REPEATS = 3
PER_MODEL_KEYS = frozenset({"table", "title", "json_schema_extra", "schema_extra", "arbitrary_types_allowed"})

TRANSFORM = None
FILE_PASSES = (MODEL_MODULES,)

Setting = tuple[str, str]


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL when 3 or more models repeat one setting; see the module."""
    index = build_index(project)
    application = {info.path: path for path, info in project.files if facts.is_application(info)}
    pydantic = _pydantic_models(index.models)
    models = {name: model for name, model in pydantic.items() if model.path in application}
    if len(models) < MINIMUM_MODELS:
        return Outcome(Verdict.NOT_APPLICABLE, reason=f"fewer than {MINIMUM_MODELS} Pydantic models")
    bases = {base for model in pydantic.values() for base in model.bases if base in pydantic}
    roots = {name for name in bases if not any(base in pydantic for base in pydantic[name].bases)}
    on_root = {name for name in models if name not in roots and _ancestors(name, pydantic) & roots}
    repeats: dict[Setting, list[tuple[Model, int]]] = defaultdict(list)
    for name, model in models.items():
        if name in on_root:
            continue
        inherited = _inherited(model, pydantic)
        for key, value, line in model.settings:
            setting = (V1_NAMES.get(key, key), value)
            if name not in bases and setting not in inherited and setting[0] not in PER_MODEL_KEYS:
                repeats[setting].append((model, line))
    evidence = [
        _evidence(project.text(application[model.path]) or "", setting, model, line, len(places))
        for setting, places in repeats.items()
        if len(places) >= MINIMUM_REPEATS
        for model, line in places
    ]
    if evidence:
        return Outcome(Verdict.FAIL, tuple(sorted(evidence)))
    shown = ", ".join(f"`{name.rpartition('.')[2]}`" for name in sorted(roots)[:3])
    base = (f"; {len(on_root)} derive from the project base model(s) {shown}, their own settings are "
            "deliberate" if on_root else "")
    return Outcome(Verdict.PASS, reason=f"{len(models)} Pydantic models checked: no setting repeated by "
                                        f"{MINIMUM_REPEATS} or more outside a shared base{base}")


def _pydantic_models(models: dict[str, Model]) -> dict[str, Model]:
    """The classes deriving from a Pydantic (or SQLModel) base, directly or through project classes."""
    found: dict[str, Model] = {}
    changed = True
    while changed:
        changed = False
        for name, model in models.items():
            if name not in found and any(base in MODEL_BASES or base in found for base in model.bases):
                found[name] = model
                changed = True
    return found


def _ancestors(name: str, models: dict[str, Model]) -> set[str]:
    found: set[str] = set()
    stack = [name]
    while stack:
        for base in models[stack.pop()].bases:
            if base in models and base not in found:
                found.add(base)
                stack.append(base)
    return found


def _inherited(model: Model, models: dict[str, Model], depth: int = 0) -> set[Setting]:
    """The settings the model's project bases (and theirs) write."""
    found: set[Setting] = set()
    for base in model.bases:
        parent = models.get(base)
        if parent is not None and depth < 50:
            found.update((V1_NAMES.get(key, key), value) for key, value, _ in parent.settings)
            found |= _inherited(parent, models, depth + 1)
    return found


def _evidence(text: str, setting: Setting, model: Model, line: int, count: int) -> Evidence:
    key, value = setting
    return Evidence(
        model.path, line, 1, excerpt_of(text, line),
        f"{model.name} sets `{key}={value}`, like {count - 1} other models: put it once in a project base "
        "model (class Base(BaseModel) with that model_config) and derive the schemas from it",
    )
