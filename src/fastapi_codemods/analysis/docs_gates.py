"""The project pass of conditional_docs: which flag gates each app module's docs.

Stdlib ``ast`` only. Per module that builds a ``FastAPI()`` it decides the flag
expression (the project's settings when found, else an environment variable that
fails closed), the import that expression needs, and what a reviewer must know. It
also finds the tests that request the docs URLs and the app modules each one may be
testing, so that conditional_docs leaves those apps alone.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi_codemods.analysis import code_roles
from fastapi_codemods.analysis.astindex import nodes_of, walk
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.candidates import (
    Candidates,
    called_names,
    from_results,
    terminal_name,
)
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.programs import imported_modules
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.settings import (
    SETTINGS_MODULES,
    SettingsIndex,
    SettingsSource,
    SourceChoice,
    choose_source,
    import_spellings,
)
from fastapi_codemods.engine.fileinfo import FileInfo

DOCS_KEYS = ("openapi_url", "docs_url", "redoc_url")
DEFAULT_URLS = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
DOCS_HELPER_NAMES = ("get_swagger_ui_html", "get_redoc_html")
TEST_REQUEST_METHODS = frozenset({"get", "head", "options", "request", "fetch", "open"})
URL_KEYS = {url: key for key, url in DEFAULT_URLS.items()}


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
class DocsRequest:
    """A test's request of a docs URL, as seen from an app module it may be testing.

    ``traced``: the test (or a conftest.py above it) imports this app's module, or the
    test builds the app itself; otherwise the test's app could not be traced and every
    app counts.
    """

    path: str
    line: int
    url: str
    traced: bool

    @property
    def key(self) -> str:
        return URL_KEYS[self.url]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class DocsReference:
    """A use of the docs outside the tests: ``what`` the file does at ``path:line``
    (``links to /docs``, ``replaces app.openapi``); ``key`` is the docs keyword whose
    URL it needs."""

    path: str
    line: int
    key: str
    what: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class DocsFacts:
    plans: Mapping[str, FlagPlan] = field(default_factory=dict)
    # app module relpath -> the docs requests of the tests that may be testing its apps
    app_requests: Mapping[str, tuple[DocsRequest, ...]] = field(default_factory=dict)
    candidates: Candidates | None = None
    # The code, templates and static files using the docs (of any app of the root).
    references: tuple[DocsReference, ...] = ()
    # App modules the project uses the docs of: (relpath, the first use), for the summary.
    kept: tuple[tuple[str, str], ...] = ()


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
    """One module that may build an app (the per-file pass's result): whether it
    calls ``FastAPI(...)``, and the names it binds, as (qualified, local) for its
    imports and then (``module.name``, name) for its top-level definitions."""

    builds_app: bool
    imported: tuple[tuple[str, str], ...]
    defined: tuple[tuple[str, str], ...]
    # An app of it serves its schema whatever the environment (no openapi_url, or a
    # non-empty literal one, and no ``**kwargs``): what a use of the docs keeps.
    serves: bool = False


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
    serves = any(
        None not in keywords
        and (
            "openapi_url" not in keywords
            or isinstance(keywords["openapi_url"], ast.Constant) and bool(keywords["openapi_url"].value)
        )
        for call in calls
        for keywords in [{keyword.arg: keyword.value for keyword in call.keywords}]
    )
    return _AppModule(
        serves=serves,
        builds_app=bool(calls),
        imported=tuple((qualified, local) for local, qualified in imports.names.items()),
        defined=tuple(defined),
    )


@dataclass(frozen=True)
class _TestFile:
    """A test file's docs requests (line, url), what it imports (every module name an
    import may load, project or not) and whether it builds a FastAPI app itself."""

    requests: tuple[tuple[int, str], ...]
    imports: frozenset[str]
    builds_app: bool


def docs_requests(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> _TestFile | None:
    if not info.is_test_file:
        return None
    requests = tuple(_docs_requests(tree))
    if not requests:
        return None
    builds = bool(app_constructions(tree, ImportMap(tree, info.package, nested=True)))
    return _TestFile(requests, frozenset(imported_modules(tree, info.package)), builds)


def acts_on(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> bool:
    return _acts_on(tree)


APP_MODULES = FilePass("conditional_docs.apps", ("FastAPI",), app_module)


@dataclass(frozen=True)
class _CodeUses:
    """A non-test module's strings that may name a docs URL (line, text), its
    ``X.openapi = ...`` assignments and reads of ``X.openapi_url`` (line, code),
    and the literal URLs its apps set (custom docs URLs: key, url)."""

    strings: tuple[tuple[int, str], ...]
    overrides: tuple[tuple[int, str], ...]
    reads: tuple[tuple[int, str, str], ...]
    urls: tuple[tuple[str, str], ...]


_MAYBE_DOCS = re.compile(r"docs|redoc|openapi|swagger", re.IGNORECASE)


def code_uses(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> _CodeUses | None:
    if info.is_test_file:
        return None
    imports = ImportMap(tree, info.package, nested=True)
    definitions: set[int] = set()
    urls: list[tuple[str, str]] = []
    for call in app_constructions(tree, imports):
        for keyword in call.keywords:
            if keyword.arg in DOCS_KEYS:
                definitions.update(id(node) for node in walk(keyword.value))
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str) and keyword.value.value:
                    urls.append((keyword.arg, keyword.value.value))
    for node in nodes_of(tree, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value in DOCS_KEYS:
                definitions.update(id(sub) for sub in walk(value))
    docstrings = {
        id(node.value)
        for node in nodes_of(tree, ast.Expr)
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    strings = tuple(
        (node.lineno, node.value)
        for node in nodes_of(tree, ast.Constant)
        if isinstance(node.value, str)
        and id(node) not in definitions
        and id(node) not in docstrings
        and _MAYBE_DOCS.search(node.value)
    )
    overrides = tuple(
        (node.lineno, ast.unparse(target))
        for node in nodes_of(tree, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and target.attr == "openapi"
    )
    reads = tuple(
        (node.lineno, node.attr, ast.unparse(node))
        for node in nodes_of(tree, ast.Attribute)
        if node.attr in DOCS_KEYS and isinstance(node.ctx, ast.Load) and id(node) not in definitions
    )
    if not (strings or overrides or reads or urls):
        return None
    return _CodeUses(strings, overrides, reads, tuple(urls))
DOCS_REQUESTS = FilePass("conditional_docs.requests", tuple(DEFAULT_URLS.values()), docs_requests)
ACTS_ON = FilePass("conditional_docs.candidates", ("FastAPI", *DOCS_KEYS, *DOCS_HELPER_NAMES), acts_on)

# The transform's declarations (`ConditionalDocs` refers to them), here so the driver
# reads them without importing libcst.
CODE_USES = FilePass("conditional_docs.uses", ("docs", "redoc", "openapi", "swagger"), code_uses)
FILE_PASSES = (SETTINGS_MODULES, APP_MODULES, DOCS_REQUESTS, ACTS_ON, CODE_USES)
OPTIONS = {"flag": "", "flag_import": "", "env_var": "ENABLE_API_DOCS"}


def analyze(project: Project, options: Mapping[str, Any]) -> DocsFacts:
    """Flag plans for every module building an app, and the tests requesting the
    docs of each."""
    settings_modules = [found for _, _, found in project.results(SETTINGS_MODULES, options)]
    index = SettingsIndex(settings_modules)
    sources = index.sources(values=True)
    import_names = import_spellings(settings_modules, index)

    plans: dict[str, FlagPlan] = {}
    app_modules: dict[str, FileInfo] = {}
    serving: set[str] = set()
    for _path, info, app in project.results(APP_MODULES, options):
        if app.serves:
            serving.add(info.relpath)
        plans[info.relpath] = _plan_for(info.module, app, index, sources, import_names, options)
        if app.builds_app:
            app_modules[info.module] = info

    tests = [(path, info, found) for path, info, found in project.results(DOCS_REQUESTS, options) if found]
    app_requests = _app_requests(project, tests, app_modules) if tests else {}
    candidates = from_results(project, ACTS_ON, options, lambda info, acts: acts)
    references = _references(project, options)
    kept = []
    # Test code and documentation snippets (a library's examples) are never rewritten:
    # the summary does not count them as kept for their docs' sake.
    not_application = code_roles.not_application(project)
    for info in app_modules.values():
        if info.is_test_file or info.relpath not in serving or info.relpath in not_application:
            continue
        first = references[0].where if references else next(
            (r.where for r in app_requests.get(info.relpath, ())), None
        )
        if first:
            kept.append((info.relpath, first))
    return DocsFacts(
        plans=plans,
        app_requests=app_requests,
        candidates=candidates,
        references=references,
        kept=tuple(sorted(kept)),
    )


# Files beside the code that may link to the docs: templates, front-end sources, docs.
STATIC_SUFFIXES = frozenset(
    {".html", ".htm", ".jinja", ".jinja2", ".j2", ".js", ".mjs", ".ts", ".jsx", ".tsx", ".vue", ".svelte", ".md"}
)
SKIPPED_FOLDERS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "node_modules", "__pycache__", "build",
        "dist", "site-packages", "__pypackages__", "coverage", "htmlcov",
    }
)
# A docs page path where a person or program asks for it: at the start, after a quote,
# a space, a bracket, ``=``, a template's ``}``, a host (``http://api.example.com``,
# ``localhost:8000``); not inside a longer path (``../docs``, ``repo/tree/main/docs``).
_PAGE = re.compile(r"/(?:docs|redoc)(?=$|[^\w/.-]|\.(?!\w)|/oauth2-redirect)")
_PAGE_BEFORE = re.compile(r"(?:^|[\s\"'`(\[=>}]|(?:https?:)?//[\w.-]+(?::\d+)?|[\w.-]+:\d+)$")
_SCHEMA = re.compile(r"(?<![\w-])openapi\.json(?![\w-])")


def _find_url(text: str, custom: Mapping[str, str]) -> str | None:
    """The first docs URL ``text`` names, or None."""
    for match in _PAGE.finditer(text):
        if _PAGE_BEFORE.search(text[max(0, match.start() - 80) : match.start()]) or match.start() == 0:
            return match.group(0)
    schema = _SCHEMA.search(text)
    if schema:
        return schema.group(0)
    for url in custom:
        index = text.find(url)
        if index >= 0 and not re.match(r"[\w-]", text[index + len(url) : index + len(url) + 1]):
            return url
    return None


def _key_of(url: str, custom: Mapping[str, str]) -> str:
    if url in custom:
        return custom[url]
    return "openapi_url" if url.endswith("openapi.json") else "redoc_url" if url.endswith("redoc") else "docs_url"


def _references(project: Project, options: Mapping[str, Any]) -> tuple[DocsReference, ...]:
    """Every use of the docs in the root's code (tests aside: see `_app_requests`),
    templates and static files, the strongest first, then in path order."""
    uses = [(info, found) for _path, info, found in project.results(CODE_USES, options) if found]
    custom = {url: key for _info, found in uses for key, url in found.urls if url not in DEFAULT_URLS.values()}
    found_refs: list[DocsReference] = []
    for info, found in uses:
        for line, text in found.strings:
            url = _find_url(text, custom)
            if url:
                shown = "" if text.strip() == url else f" ({_short(text)})"
                found_refs.append(DocsReference(info.path, line, _key_of(url, custom), f"names {url}{shown}"))
        for line, target in found.overrides:
            found_refs.append(DocsReference(info.path, line, "openapi_url", f"replaces {target} (a custom schema)"))
        for line, key, read in found.reads:
            found_refs.append(DocsReference(info.path, line, key, f"reads {read}"))
    # Shown as the sources are (relative to where the tool runs).
    shown_root = next(
        (info.path[: -len(info.relpath)] for _, info in project.files if info.path.endswith(info.relpath)), ""
    )
    for path in _static_files(project, project.root):
        text = project.text(path)
        if not text:
            continue
        relative = shown_root + Path(os.path.relpath(path, os.path.abspath(project.root))).as_posix()
        for number, line in enumerate(text.splitlines(), start=1):
            url = _find_url(line, custom) if "doc" in line or "openapi" in line or custom else None
            if url:
                found_refs.append(DocsReference(relative, number, _key_of(url, custom), f"links to {url}"))
    # The strongest use first, since the finding names it: the code replacing or reading
    # the schema, then strings in the code, then templates and static files (where a
    # link may also be to a website's own docs pages).
    strength = {"replaces": 0, "reads": 0, "names": 1}
    return tuple(sorted(found_refs, key=lambda r: (strength.get(r.what.split(" ")[0], 2), r.path, r.line)))


def _static_files(project: Project, folder: Any) -> list[Any]:
    """Template and static files under ``folder``, through the project's noted
    questions (the run cache asks them again)."""
    files = [path for path in project.glob(folder, "*.*") if path.suffix.lower() in STATIC_SUFFIXES]
    files = [path for path in files if project.is_file(path)]
    for sub in project.glob(folder, "*/"):
        name = sub.name or sub.parent.name
        if name in SKIPPED_FOLDERS or name.startswith(".") or name.endswith(".egg-info"):
            continue
        files.extend(_static_files(project, sub))
    return files


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _app_requests(
    project: Project, tests: list[tuple[Any, FileInfo, _TestFile]], app_modules: Mapping[str, FileInfo]
) -> dict[str, tuple[DocsRequest, ...]]:
    """Which app modules each docs-requesting test may be testing.

    A test that builds its own app and imports no module of the project tests that
    app. Otherwise it tests the apps of the modules it imports, itself or through a
    conftest.py of its folder or a folder above (pytest fixtures are how suites get
    the app); when none of those builds an app (a factory imported from a module
    that does not build it, a helper that imports the app), every app of the project
    that is not itself in a test file: the safe answer.
    """
    by_relpath = {info.relpath: (path, info) for path, info in project.files}
    conftests: dict[str, frozenset[str]] = {}

    def conftest(relpath: str) -> frozenset[str]:
        if relpath not in conftests:
            path, info = by_relpath.get(relpath, (None, None))
            tree = project.tree(path) if path is not None else None
            conftests[relpath] = frozenset(imported_modules(tree, info.package)) if tree is not None else frozenset()
        return conftests[relpath]

    public = [info.relpath for info in app_modules.values() if not info.is_test_file]
    found: dict[str, list[DocsRequest]] = {}
    for _path, info, test in tests:
        imports = set(test.imports)
        for folder in _folders(info.relpath):
            imports |= conftest(f"{folder}conftest.py")
        if test.builds_app and not any(m in project.modules and m != info.module for m in test.imports):
            tested, traced = {info.relpath}, True
        else:
            tested = {app_modules[m].relpath for m in imports if m in app_modules and m != info.module}
            traced = bool(tested)
            if not traced:
                tested = set(public)
            if test.builds_app:
                tested.add(info.relpath)
        for relpath in tested:
            found.setdefault(relpath, []).extend(
                DocsRequest(info.path, line, url, traced) for line, url in test.requests
            )
    return {relpath: tuple(requests) for relpath, requests in found.items()}


def _folders(relpath: str) -> list[str]:
    """The folders holding ``relpath`` and those above it, as prefixes: ``a/b/``, ``a/``, ``""``."""
    parts = relpath.split("/")[:-1]
    return ["/".join(parts[:count]) + "/" for count in range(len(parts), 0, -1)] + [""]


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
    choice = choose_source(module, index.bound_names(app.imported, app.defined), sources, import_names)
    if isinstance(choice, SourceChoice):
        return _settings_plan(choice.source, choice.local, choice.import_from)
    variable = options.get("env_var") or "ENABLE_API_DOCS"
    if not choice:
        return env_var_plan(variable, "no Pydantic settings with a DEBUG or ENVIRONMENT field found")
    return env_var_plan(variable, f"several settings objects could gate the docs ({', '.join(choice)})")


def _settings_plan(source: SettingsSource, local: str, import_from: tuple[str, str] | None) -> FlagPlan:
    if source.kind == "value":
        where = f"the setting {source.module}.{source.name}"
    else:
        where = f"the {source.flag.field} setting of {source.module}.{source.name}" + ("()" if source.kind == "function" else "")
    notes: tuple[str, ...] = (f"docs served only when {source.serves(local)} ({where})",)
    if source.flag.default_on:
        notes += (
            (
                f"the docs now follow {source.expression(local)}, and {source.flag.field} defaults to "
                f"{source.flag.default_text}: make sure production sets {source.flag.field}"
            ),
        )
    return FlagPlan(
        expression=source.expression(local),
        local=local.split(".")[0],
        import_from=import_from,
        source_class=source.cls,
        notes=notes,
    )


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
