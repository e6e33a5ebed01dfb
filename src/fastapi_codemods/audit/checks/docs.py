"""Practice 6: API docs served unconditionally.

Looks at every ``FastAPI(...)`` call (under any import alias) in the application's
modules (test code, test helpers and documentation snippets aside; an app built as
an element of a literal, a fake ASGI scope's ``{"app": FastAPI()}``, serves nothing).
``/docs`` and ``/redoc`` render ``/openapi.json``, so the app serves its docs
unconditionally when ``openapi_url`` is not passed, is a non-empty string literal or
an f-string (the same in every environment): FAIL. ``openapi_url=None`` or ``""``
(FastAPI serves nothing for a false value) or another expression (a flag) counts as
gated. ``FastAPI(**kwargs)`` is judged by the dict literal behind it when
conditional_docs could rewrite that dict; otherwise it cannot be decided: NEEDS
ATTENTION. No app in the application: NOT APPLICABLE.

A plugin app whose published contract is its ``openapi.json`` (a module serving a
plugin manifest, ``/.well-known/ai-plugin.json``, that points at it) must keep it
public: no finding, PASS, and the reason says so.

Each piece of evidence says what conditional_docs would do with that very app, from
the transform's own decision (`analysis.docs_decision`): the flag it gates the docs
with (the evidence's ``fix``), or the reason it leaves the app alone (the project
uses its docs, picks its app per environment, a ``**kwargs`` it cannot rewrite...).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from fastapi_codemods.analysis import docs_gates
from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.docs_decision import ABSENT, FIXED, Decision, decide, flag_plan
from fastapi_codemods.analysis.docs_gates import DocsFacts
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.docs_sites import TRANSFORM, DocsSite, docs_sites
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict
from fastapi_codemods.engine.fileinfo import FileInfo

SERVED_ALL = "the app serves /docs, /redoc and /openapi.json in every environment"


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


DOCS_APPS = FilePass("audit.docs_apps", ("FastAPI",), docs_sites)
PLUGIN_MANIFESTS = FilePass("audit.plugin_manifests", ("ai-plugin.json",), plugin_manifests)
FILE_PASSES = (*docs_gates.FILE_PASSES, DOCS_APPS, PLUGIN_MANIFESTS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for an app serving ``/openapi.json`` (and so ``/docs`` and ``/redoc``)
    whatever the environment; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    options = facts.options.get(TRANSFORM, {})
    docs = docs_gates.analyze(project, options)
    evidence = []
    served = False
    apps_count = 0
    for _path, info, sites in facts.application_results(DOCS_APPS, options):
        for site in sites:
            apps_count += 1
            state = _state(site)
            if state is None:
                continue
            served = served or state != UNKNOWN
            fix, message = _fix(site, docs, info, options)
            evidence.append(Evidence(info.path, site.line, site.column, site.excerpt, f"{state}; {message}",
                                     fix=TRANSFORM if fix else None))
    fixes = sum(1 for item in evidence if item.fix)
    if served:
        manifests = [(info.path, line) for _path, info, found in facts.application_results(PLUGIN_MANIFESTS)
                     for line, _excerpt in found]
        if manifests:
            path, line = manifests[0]
            return Outcome(Verdict.PASS, reason=(
                f"{len(evidence)} of {apps_count} app(s) serve /openapi.json, and {path}:{line} publishes a plugin "
                "manifest pointing at it: the schema is this app's public contract, not a finding to fix "
                "(gate /docs and /redoc alone if they should not be public)"))
        return Outcome(Verdict.FAIL, tuple(evidence), fixes=fixes)
    if evidence:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(evidence), fixes=fixes)
    return Outcome(Verdict.PASS, reason=f"{apps_count} FastAPI app(s) checked: /openapi.json is off or gated by a setting")


UNKNOWN = "the app's docs settings come from **kwargs: check they are off in production"


def _state(site: DocsSite) -> str | None:
    """What the app serves whatever the environment (None: nothing, or a setting decides)."""
    if site.unknown:
        return UNKNOWN
    kinds = {key: site.keywords[key].kind if key in site.keywords else ABSENT for key in docs_gates.DOCS_KEYS}
    if kinds["openapi_url"] not in (ABSENT, FIXED):
        return None
    pages = [page for key, page in (("docs_url", "/docs"), ("redoc_url", "/redoc")) if kinds[key] in (ABSENT, FIXED)]
    if len(pages) == 2:
        return SERVED_ALL
    if pages:
        return f"the app serves {pages[0]} and /openapi.json in every environment"
    return "the app serves /openapi.json in every environment (its docs pages are off or follow a setting)"


def _fix(site: DocsSite, docs: DocsFacts, info: FileInfo, options: Mapping[str, Any]) -> tuple[bool, str]:
    """(whether conditional_docs rewrites this app, what to say about it)."""
    if site.refusal is not None:
        return False, _refused(site.refusal)
    plan = flag_plan(docs, info.relpath, options)
    if isinstance(plan, str):
        return False, _refused(plan)
    decision: Decision = decide(site.keywords, docs, info.relpath, info.path)
    if decision.reason is not None:
        return False, _refused(decision.reason)
    if decision.condition is not None:
        return True, f"conditional_docs gates /openapi.json with `{decision.condition}`, as the docs pages are"
    refusal = site.flag_refusal(plan)
    if refusal is not None:
        return False, _refused(refusal)
    return True, f"conditional_docs gates them with `{plan.expression}`"


def _refused(reason: str) -> str:
    """The transform's finding as the reason it makes no fix here."""
    for prefix in ("left unchanged: ", "not rewritten: "):
        reason = reason.removeprefix(prefix)
    return f"conditional_docs leaves it alone: {reason}"
