"""Practice 6: API docs served unconditionally.

Looks at every ``FastAPI(...)`` call (under any import alias) in the application's
modules (test code, test helpers and documentation snippets aside). ``/docs`` and
``/redoc`` render ``/openapi.json``, so the app serves its docs unconditionally when
``openapi_url`` is not passed, is a non-empty string literal or an f-string (the same
in every environment): FAIL. ``openapi_url=None`` or ``""`` (FastAPI serves nothing
for a false value) or another expression (a flag) counts as gated. An app whose
keywords come from ``**kwargs`` cannot be decided: NEEDS ATTENTION. No app in the
application: NOT APPLICABLE.

A plugin app whose published contract is its ``openapi.json`` (a module serving a
plugin manifest, ``/.well-known/ai-plugin.json``, that points at it) must keep it
public: no finding, PASS, and the reason says so.
Each piece of evidence names the flag conditional_docs would gate it
with (`analysis.docs_gates`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import docs_gates
from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

SERVED = "served"
UNKNOWN = "unknown"
GATED = "gated"


def docs_apps(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
              ) -> tuple[tuple[int, int, str, str], ...]:
    """(line, column, excerpt, SERVED, UNKNOWN or GATED) of each app construction."""
    found = []
    for call in app_constructions(tree, ImportMap(tree, info.package)):
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        openapi = keywords.get("openapi_url")
        if openapi is None and None in keywords:
            state = UNKNOWN
        elif openapi is None or _literal_url(openapi):
            state = SERVED
        else:
            state = GATED
        found.append((call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), state))
    return tuple(found)


def _literal_url(value: ast.expr) -> bool:
    """A non-empty string literal, or an f-string (whatever it interpolates, it is a URL)."""
    if isinstance(value, ast.JoinedStr):
        return bool(value.values)
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value != ""


def plugin_manifests(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
                     ) -> tuple[tuple[int, str], ...]:
    """(line, excerpt) of each string naming a plugin manifest (``ai-plugin.json``) in a
    module that also names ``openapi``: the manifest points clients at the schema."""
    if "openapi" not in text:
        return ()
    return tuple(
        (node.lineno, excerpt_of(text, node.lineno))
        for node in nodes_of(tree, ast.Constant)
        if isinstance(node.value, str) and "ai-plugin.json" in node.value
    )


DOCS_APPS = FilePass("audit.docs_apps", ("FastAPI",), docs_apps)
TRANSFORM = "conditional_docs"
PLUGIN_MANIFESTS = FilePass("audit.plugin_manifests", ("ai-plugin.json",), plugin_manifests)
FILE_PASSES = (*docs_gates.FILE_PASSES, DOCS_APPS, PLUGIN_MANIFESTS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for an app serving ``/openapi.json`` (and so ``/docs`` and ``/redoc``)
    whatever the environment; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    plans = docs_gates.analyze(project, facts.options[TRANSFORM]).plans
    evidence = []
    served = False
    apps_count = 0
    for _path, info, apps in facts.application_results(DOCS_APPS, facts.options[TRANSFORM]):
        plan = plans.get(info.relpath)
        gate = f"; conditional_docs gates them with `{plan.expression}`" if plan else ""
        for line, column, excerpt, state in apps:
            apps_count += 1
            if state == GATED:
                continue
            served = served or state == SERVED
            if state == SERVED:
                message = "the app serves /docs, /redoc and /openapi.json in every environment" + gate
            else:
                message = "the app's docs settings come from **kwargs: check they are off in production"
            evidence.append(Evidence(info.path, line, column, excerpt, message))
    if served:
        manifests = [(info.path, line) for _path, info, found in facts.application_results(PLUGIN_MANIFESTS)
                     for line, _excerpt in found]
        if manifests:
            path, line = manifests[0]
            return Outcome(Verdict.PASS, reason=(
                f"{len(evidence)} of {apps_count} app(s) serve /openapi.json, and {path}:{line} publishes a plugin "
                "manifest pointing at it: the schema is this app's public contract, not a finding to fix "
                "(gate /docs and /redoc alone if they should not be public)"))
        return Outcome(Verdict.FAIL, tuple(evidence))
    if evidence:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(evidence))
    return Outcome(Verdict.PASS, reason=f"{apps_count} FastAPI app(s) checked: /openapi.json is off or gated by a setting")
