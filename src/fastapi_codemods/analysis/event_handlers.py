"""Where a root touches start-up and shutdown events, for the ``lifespan`` transform (stdlib ``ast``).

Moving one app's ``on_event`` handlers into ``FastAPI(lifespan=...)`` makes FastAPI
ignore every handler still registered on that app the old way, wherever it is
registered. So the transform rewrites an app's module only when nothing else in the
root can add handlers to it or replace its lifespan: an ``on_event`` or
``add_event_handler`` call whose receiver is not that file's own module-level app
(an imported app, a router, a function parameter), an ``on_startup=``/``on_shutdown=``
keyword, or ``X.router.on_startup``/``on_shutdown``/``lifespan_context`` in another
file blocks it. Routers count too: ``include_router`` copies a router's handlers
into the app (FastAPI 0.165 then runs them twice under the default lifespan and once
under a custom one), which a module-level rewrite cannot see.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap
from fastapi_codemods.analysis.candidates import Candidates, from_results
from fastapi_codemods.analysis.fastapi_names import APP_CLASSES, ROUTER_CLASSES
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.engine.fileinfo import FileInfo

EVENTS = ("startup", "shutdown")
REGISTRATIONS = frozenset({"on_event", "add_event_handler"})
EVENT_KEYWORDS = frozenset({"on_startup", "on_shutdown"})
ROUTER_ATTRIBUTES = frozenset({"on_startup", "on_shutdown", "lifespan_context"})
NEEDLES = ("on_event", "add_event_handler", "on_startup", "on_shutdown", "lifespan_context")
OPTIONS: dict[str, Any] = {}


@dataclass(frozen=True)
class Site:
    """One place that touches events: ``line``, what it does (``what``, for a finding)
    and whether it only concerns this file's own module-level app (``own_app``)."""

    line: int
    what: str
    own_app: bool
    registration: bool


def _module_names(tree: ast.Module, imports: ImportMap, classes: frozenset[str]) -> set[str]:
    """Names bound at module level to ``classes(...)`` and nothing else."""
    bound: dict[str, set[bool]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            builds = isinstance(node.value, ast.Call) and imports.qualified(node.value.func) in classes
            for target in targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, set()).add(builds)
    return {name for name, kinds in bound.items() if kinds == {True}}


def _receiver(node: ast.expr, apps: set[str], routers: set[str], imports: ImportMap) -> tuple[str, bool]:
    """A description of the object events are registered on, and whether it is one of
    this file's module-level apps."""
    text = ast.unparse(node)
    if isinstance(node, ast.Name):
        if node.id in apps:
            return f"`{text}`", True
        if node.id in routers:
            return f"the router `{text}`", False
        if node.id in imports.names:
            return f"`{text}`, imported from {imports.names[node.id].rpartition('.')[0] or 'another module'}", False
    return f"`{text}`, which this tool cannot follow to one app", False


def _looks_like_events(call: ast.Call, known: set[str]) -> bool:
    """On an app or router of this file, or naming "startup"/"shutdown": other
    classes have ``on_event`` methods too (``self.on_event(message)``)."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    if isinstance(func.value, ast.Name) and func.value.id in known:
        return True
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and first.value in EVENTS


def event_sites(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> tuple[Site, ...]:
    """Every place in one file that registers handlers or touches a lifespan."""
    imports = ImportMap(tree, info.package)
    apps = _module_names(tree, imports, APP_CLASSES)
    routers = _module_names(tree, imports, ROUTER_CLASSES)
    nested = ImportMap(tree, info.package, nested=True)
    # Names bound anywhere (in a factory too) to an app or a router: their
    # registrations count whatever the event argument is.
    known = {
        target.id
        for node in nodes_of(tree, ast.Assign)
        if isinstance(node.value, ast.Call) and nested.qualified(node.value.func) in APP_CLASSES | ROUTER_CLASSES
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    sites: list[Site] = []
    for node in nodes_of(tree, ast.Call, ast.Attribute):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in REGISTRATIONS and _looks_like_events(node, apps | routers | known):
                receiver, own = _receiver(func.value, apps, routers, imports)
                sites.append(Site(node.lineno, f"registers event handlers on {receiver}", own, True))
            for keyword in node.keywords:
                if keyword.arg in EVENT_KEYWORDS:
                    sites.append(Site(node.lineno, f"passes {keyword.arg}=", False, False))
        elif (
            node.attr in ROUTER_ATTRIBUTES
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "router"
        ) or node.attr == "lifespan_context":
            sites.append(Site(node.lineno, f"uses {ast.unparse(node)}", False, False))
    return tuple(sorted(set(sites), key=lambda site: (site.line, site.what)))


EVENT_SITES = FilePass("lifespan.event_sites", NEEDLES, event_sites)
FILE_PASSES = (EVENT_SITES,)


@dataclass(frozen=True)
class EventFacts:
    """``foreign``: relpath -> the sites of that file that may concern an app
    elsewhere (each blocks a rewrite in every other file); ``candidates``: the files
    with a registration (the only ones the transform acts on)."""

    foreign: Mapping[str, tuple[Site, ...]]
    candidates: Candidates | None = None

    def blockers(self, relpath: str) -> list[tuple[str, Site]]:
        """The sites in other files that forbid rewriting an app of ``relpath``."""
        return [
            (other, site)
            for other, sites in sorted(self.foreign.items())
            if other != relpath
            for site in sites
        ]


def analyze(project: Any, options: Mapping[str, Any]) -> EventFacts:
    foreign: dict[str, tuple[Site, ...]] = {}
    for _path, info, sites in project.results(EVENT_SITES, options):
        kept = tuple(site for site in sites if not site.own_app)
        if kept:
            foreign[info.relpath] = kept

    def registers(_info: FileInfo, sites: tuple[Site, ...]) -> bool:
        return any(site.registration for site in sites)

    return EventFacts(foreign, from_results(project, EVENT_SITES, options, registers))
