"""The project pass of conditional_docs: which flag gates each app module's docs.

Stdlib ``ast`` only. Per module that builds a ``FastAPI()`` it decides the flag
expression (the project's settings when found, else an environment variable that
fails closed), the import that expression needs, and what a reviewer must know. It
also lists the requests tests make to the docs URLs.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.candidates import (
    Candidates,
    called_names,
    from_results,
    terminal_name,
)
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.settings import SETTINGS_MODULES, SettingsIndex, SettingsModule, SettingsSource
from fastapi_codemods.engine.fileinfo import FileInfo

DOCS_KEYS = ("openapi_url", "docs_url", "redoc_url")
DEFAULT_URLS = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
DOCS_HELPER_NAMES = ("get_swagger_ui_html", "get_redoc_html")
TEST_REQUEST_METHODS = frozenset({"get", "head", "options", "request", "fetch", "open"})


@dataclass(frozen=True)
class FlagPlan:
    """The expression gating the docs in one module, and how to make it resolvable.

    ``local`` is the name the expression starts with (checked against the module's
    scopes before use); ``import_from`` is (module, name) to add when the module does
    not bind ``local`` yet; ``notes`` are findings to attach to every rewritten app.
    """

    expression: str
    local: str | None
    import_from: tuple[str, str] | None
    plain_import: str | None = None
    source_class: str | None = None
    notes: tuple[str, ...] = ()
    # True when the expression reads nothing but the environment (the fallback):
    # evaluating it earlier, or where the app is not built, changes nothing.
    pure: bool = False


@dataclass(frozen=True)
class DocsFacts:
    plans: Mapping[str, FlagPlan] = field(default_factory=dict)
    test_requests: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # (root-relative path, display path, line) of each app that serves its docs today.
    public_apps: tuple[tuple[str, str, int], ...] = ()
    candidates: Candidates | None = None


def env_var_plan(variable: str, reason: str) -> FlagPlan:
    return FlagPlan(
        expression=f'os.getenv("{variable}", "").lower() in ("1", "true", "yes")',
        local="os",
        import_from=None,
        plain_import="os",
        pure=True,
        notes=(
            (
                f"{reason}: the docs are now served only when the environment variable {variable} "
                "is 1, true or yes (unset means hidden); set [tool.fastapi-codemods.conditional_docs] "
                "flag to use your own setting"
            ),
        ),
    )


def config_plan(flag: str, flag_import: str) -> FlagPlan:
    """The user's own ``flag`` expression; ``flag_import`` is one import statement."""
    import_from: tuple[str, str] | None = None
    plain: str | None = None
    local: str | None = None
    if flag_import.strip():
        statement = ast.parse(flag_import.strip()).body[0]
        if isinstance(statement, ast.ImportFrom) and statement.module and len(statement.names) == 1:
            alias = statement.names[0]
            if alias.asname:
                raise ValueError("flag_import: 'as' aliases are not supported")
            import_from = (("." * statement.level) + statement.module, alias.name)
            local = alias.name
        elif isinstance(statement, ast.Import) and len(statement.names) == 1 and not statement.names[0].asname:
            plain = statement.names[0].name
            local = plain.split(".")[0]
        else:
            raise ValueError("flag_import must be one 'from X import Y' or 'import X' statement")
    if local is None:
        node = ast.parse(flag, mode="eval").body
        while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript, ast.Compare, ast.BoolOp, ast.UnaryOp)):
            node = {
                ast.Attribute: lambda n: n.value,
                ast.Call: lambda n: n.func,
                ast.Subscript: lambda n: n.value,
                ast.Compare: lambda n: n.left,
                ast.BoolOp: lambda n: n.values[0],
                ast.UnaryOp: lambda n: n.operand,
            }[type(node)](node)
        local = node.id if isinstance(node, ast.Name) else None
    return FlagPlan(expression=flag, local=local, import_from=import_from, plain_import=plain)


@dataclass(frozen=True)
class _AppModule:
    """One module building an app (the per-file pass's result): the lines of the
    apps serving their schema, and the names it binds, as (qualified, local) for
    its imports and then (``module.name``, name) for its top-level definitions."""

    public_lines: tuple[int, ...]
    imported: tuple[tuple[str, str], ...]
    defined: tuple[tuple[str, str], ...]


def app_module(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> _AppModule:
    imports = ImportMap(tree, info.package)
    calls = app_constructions(tree, imports)
    defined: list[tuple[str, str]] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.append((f"{info.module}.{node.name}", node.name))
        for target in targets:
            if isinstance(target, ast.Name):
                defined.append((f"{info.module}.{target.id}", target.id))
    return _AppModule(
        public_lines=tuple(call.lineno for call in calls if _schema_public(call)),
        imported=tuple((qualified, local) for local, qualified in imports.names.items()),
        defined=tuple(defined),
    )


def docs_requests(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> tuple[tuple[int, str], ...]:
    return tuple(_docs_requests(tree)) if info.is_test_file else ()


def acts_on(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    return _acts_on(tree)


APP_MODULES = FilePass("conditional_docs.apps", ("FastAPI",), app_module)
DOCS_REQUESTS = FilePass("conditional_docs.requests", ("/docs", "/redoc", "/openapi.json"), docs_requests)
ACTS_ON = FilePass(
    "conditional_docs.candidates",
    ("FastAPI", *DOCS_KEYS, *DOCS_HELPER_NAMES, *DEFAULT_URLS.values()),
    acts_on,
)

# The transform's declarations (`ConditionalDocs` refers to them), here so the driver
# reads them without importing libcst.
FILE_PASSES = (SETTINGS_MODULES, APP_MODULES, DOCS_REQUESTS, ACTS_ON)
OPTIONS = {"flag": "", "flag_import": "", "env_var": "ENABLE_API_DOCS"}


def analyze(project: Project, options: Mapping[str, Any]) -> DocsFacts:
    """Flag plans for every module building an app, plus test requests to the docs."""
    settings_modules = [found for _, _, found in project.results(SETTINGS_MODULES, options)]
    index = SettingsIndex(settings_modules)
    sources = index.sources()
    import_names = _import_spellings(settings_modules, index)

    plans: dict[str, FlagPlan] = {}
    public: list[tuple[str, str, int]] = []
    for _path, info, app in project.results(APP_MODULES, options):
        public.extend((info.relpath, info.path, line) for line in app.public_lines)
        plans[info.relpath] = _plan_for(info.module, app, index, sources, import_names, options)

    requests: dict[str, tuple[tuple[int, str], ...]] = {}
    for _path, info, found in project.results(DOCS_REQUESTS, options):
        if found:
            requests[info.relpath] = found
    tests = frozenset(requests) if public else frozenset()
    candidates = from_results(project, ACTS_ON, options, lambda info, acts: info.relpath in tests or acts)
    return DocsFacts(plans=plans, test_requests=requests, public_apps=tuple(public), candidates=candidates)


def _acts_on(tree: ast.Module) -> bool:
    """The module may build a FastAPI app, set a docs attribute on an object after
    building it, or pass an ``openapi_url`` attribute to a docs page helper: what
    conditional_docs rewrites or reports (test requests aside). Names are matched
    with their import aliases; libcst decides what they resolve to."""
    apps = called_names(tree, "FastAPI")
    helpers = {alias for name in DOCS_HELPER_NAMES for alias in called_names(tree, name)}
    for node in nodes_of(tree, ast.Call, ast.Assign):
        if isinstance(node, ast.Call):
            name = terminal_name(node.func)
            if name in apps:
                return True
            if name in helpers and any(
                isinstance(sub, ast.Attribute) and sub.attr == "openapi_url"
                for argument in [*node.args, *(keyword.value for keyword in node.keywords)]
                for sub in walk(argument)
            ):
                return True
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr in DOCS_KEYS and isinstance(target.value, ast.Name)
            for target in node.targets
        ):
            return True
    return False


def _plan_for(
    module: str,
    app: _AppModule,
    index: SettingsIndex,
    sources: list[SettingsSource],
    import_names: Mapping[str, str],
    options: Mapping[str, Any],
) -> FlagPlan:
    bound = {}
    for qualified, local in app.imported:
        resolved = index.resolve(qualified)
        if resolved:
            bound[resolved] = local
    for qualified, local in app.defined:
        bound[qualified] = local

    here = [s for s in sources if f"{s.module}.{s.name}" in bound]
    if here:
        chosen = here[0]
        return _settings_plan(chosen, bound[f"{chosen.module}.{chosen.name}"], None)
    if not sources:
        return env_var_plan(options.get("env_var") or "ENABLE_API_DOCS", "no Pydantic settings with a DEBUG or ENVIRONMENT field found")

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
        names = ", ".join(sorted(f"{s.module}.{s.name}" for s in nearest))
        return env_var_plan(
            options.get("env_var") or "ENABLE_API_DOCS", f"several settings objects could gate the docs ({names})"
        )
    chosen = nearest[0]
    spelled = import_names.get(f"{chosen.module}.{chosen.name}", chosen.module)
    return _settings_plan(chosen, chosen.name, (spelled, chosen.name))


def _settings_plan(source: SettingsSource, local: str, import_from: tuple[str, str] | None) -> FlagPlan:
    notes: tuple[str, ...] = ()
    if source.flag.default_on:
        notes = (
            (
                f"the docs now follow {source.expression(local)}, and {source.flag.field} defaults to "
                f"{source.flag.default_text}: make sure production sets {source.flag.field}"
            ),
        )
    return FlagPlan(
        expression=source.expression(local),
        local=local,
        import_from=import_from,
        source_class=source.cls,
        notes=notes,
    )


def _import_spellings(modules: list[SettingsModule], index: SettingsIndex) -> dict[str, str]:
    """How the project itself imports each settings object (the most common spelling)."""
    seen: dict[str, Counter[str]] = {}
    for module in modules:
        for source, name in module.imported_from:
            resolved = index.resolve(f"{source}.{name}")
            if resolved and (resolved in index.instances or resolved in index.functions):
                seen.setdefault(resolved, Counter())[source] += 1
    return {name: counter.most_common(1)[0][0] for name, counter in seen.items()}


def _schema_public(call: ast.Call) -> bool:
    """The app serves its schema today: no ``openapi_url``, or a plain string for it."""
    if any(keyword.arg is None for keyword in call.keywords):
        return False
    value = next((k.value for k in call.keywords if k.arg == "openapi_url"), None)
    if value is None:
        return True
    return isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str))


def _docs_url_in(node: ast.expr) -> str | None:
    text = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        if isinstance(last, ast.Constant) and isinstance(last.value, str):
            text = last.value
    if text is None:
        return None
    path = text.split("?")[0].rstrip("/")
    for url in DEFAULT_URLS.values():
        if path == url or path.endswith(url):
            return url
    return None


def _docs_requests(tree: ast.Module):
    """``client.get("/docs")``, ``client.request("GET", "/openapi.json")``... in a test file."""
    for node in nodes_of(tree, ast.Call):
        if not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in TEST_REQUEST_METHODS:
            continue
        candidates = list(node.args[:2]) + [k.value for k in node.keywords if k.arg == "url"]
        for candidate in candidates:
            url = _docs_url_in(candidate)
            if url:
                yield node.lineno, url
                break
