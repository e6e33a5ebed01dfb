"""Practice 6: API docs served unconditionally.

Looks at every ``FastAPI(...)`` call (under any import alias) in the application's
modules (test code, test helpers and documentation snippets aside). ``/docs`` and
``/redoc`` render ``/openapi.json``, so the app serves its docs unconditionally when
``openapi_url`` is not passed or is a non-empty string literal: FAIL.
``openapi_url=None``, ``""`` (FastAPI serves nothing at a falsy URL) or an
expression (a flag) counts as gated. An app whose keywords come from ``**kwargs``
cannot be decided: NEEDS ATTENTION. No app in the application: NOT APPLICABLE.
Each piece of evidence names the flag conditional_docs would gate it
with (`analysis.docs_gates`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import docs_gates
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

SERVED = "served"
UNKNOWN = "unknown"


def docs_apps(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]
              ) -> tuple[tuple[int, int, str, str], ...]:
    """(line, column, excerpt, SERVED or UNKNOWN) of each app construction that serves
    its docs unconditionally or cannot be decided."""
    found = []
    for call in app_constructions(tree, ImportMap(tree, info.package)):
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        openapi = keywords.get("openapi_url")
        if openapi is None and None in keywords:
            state = UNKNOWN
        elif openapi is None or isinstance(openapi, ast.Constant) and isinstance(openapi.value, str) and openapi.value:
            state = SERVED
        else:
            continue
        found.append((call.lineno, call.col_offset + 1, excerpt_of(text, call.lineno), state))
    return tuple(found)


DOCS_APPS = FilePass("audit.docs_apps", ("FastAPI",), docs_apps)
TRANSFORM = "conditional_docs"
FILE_PASSES = (*docs_gates.FILE_PASSES, DOCS_APPS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for an app serving ``/openapi.json`` (and so ``/docs`` and ``/redoc``)
    whatever the environment; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    plans = docs_gates.analyze(project, facts.options[TRANSFORM]).plans
    evidence = []
    served = False
    for _path, info, apps in facts.application_results(DOCS_APPS, facts.options[TRANSFORM]):
        plan = plans.get(info.relpath)
        gate = f"; conditional_docs gates them with `{plan.expression}`" if plan else ""
        for line, column, excerpt, state in apps:
            served = served or state == SERVED
            if state == SERVED:
                message = "the app serves /docs, /redoc and /openapi.json in every environment" + gate
            else:
                message = "the app's docs settings come from **kwargs: check they are off in production"
            evidence.append(Evidence(info.path, line, column, excerpt, message))
    if served:
        return Outcome(Verdict.FAIL, tuple(evidence))
    if evidence:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(evidence))
    return Outcome(Verdict.PASS)
