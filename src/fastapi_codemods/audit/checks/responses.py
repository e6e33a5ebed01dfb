"""Practice 8: response models built by hand.

Reuses return_orm_objects' ``ast`` pass (`analysis.dict_responses`): in the
application's modules, every ``return`` of a route declaring ``response_model=``
that hands back a dict display, a ``dict(...)`` call or a list comprehension of one
built mostly from attribute reads (directly or through a variable assigned such a
dict). Those the transform rewrites and those it refuses are both evidence: FAIL.
Routes but none of those: PASS. No app, router or route: NOT APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis import dict_responses
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, evidence_at
from fastapi_codemods.audit.records import Outcome, Verdict

TRANSFORM = None
FILE_PASSES = dict_responses.FILE_PASSES


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for each hand-built response dict; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    candidates = dict_responses.find_candidates(project)
    evidence = []
    for info, tree, text in facts.application_sources(candidates.files):
        for route, ret in dict_responses.candidate_returns(tree, info.package):
            evidence.append(evidence_at(
                info, text, ret,
                f"{route.name}() copies attributes into a dict although its route declares response_model",
            ))
    if evidence:
        return Outcome(Verdict.FAIL, tuple(evidence))
    return Outcome(Verdict.PASS, reason="no route declaring response_model copies attributes into a dict")
