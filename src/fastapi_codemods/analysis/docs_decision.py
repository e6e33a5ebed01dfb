"""Whether conditional_docs rewrites one ``FastAPI(...)`` call, and if not, why.

The transform reads the call with libcst, the audit's practice 6 with the stdlib
``ast``; both describe it the same way (the kind of each docs keyword, its code, the
condition of a ``url if COND else None``) and ask this module. So the audit claims a
fix only where the transform makes one, and otherwise names the transform's own
reason, word for word. No libcst here: the audit imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi_codemods.analysis.docs_gates import DOCS_KEYS, DocsFacts, FlagPlan, config_plan, env_var_plan

ABSENT = "absent"
FIXED = "fixed"  # a string the project wrote
OFF = "none"  # None or a falsy string: FastAPI serves nothing there
CONDITIONAL = "conditional"  # url if COND else ...
COMPUTED = "computed"
SHOWN_USES = 3
DEFAULT_ENV_VAR = "ENABLE_API_DOCS"


@dataclass(frozen=True)
class Keyword:
    """One docs keyword of a call: its kind, its code as written, and COND when it
    reads ``url if COND else None``."""

    kind: str
    code: str = ""
    condition: str | None = None


@dataclass(frozen=True)
class Decision:
    """``reason`` is the finding when the app is left alone; otherwise ``changed``
    (fixed URLs made conditional) and ``added`` keys get ``<url> if TEST else None``,
    TEST being ``condition`` (a condition the app already has for its pages) or,
    when that is None, the project's docs flag."""

    reason: str | None = None
    changed: frozenset[str] = frozenset()
    added: tuple[str, ...] = ()
    condition: str | None = None

    @property
    def rewrites(self) -> bool:
        return self.reason is None


def decide(keywords: Mapping[str, Keyword], facts: DocsFacts, relpath: str, path: str) -> Decision:
    """The decision for one call of the module ``relpath`` (shown as ``path``) whose
    docs keywords are ``keywords`` (absent keys may be missing)."""
    kinds = {key: keywords.get(key, Keyword(ABSENT)).kind for key in DOCS_KEYS}
    openapi = keywords.get("openapi_url", Keyword(ABSENT))
    if kinds["openapi_url"] == OFF:
        return Decision(f"left unchanged: openapi_url={openapi.code} already turns the schema and the docs pages off")
    if kinds["openapi_url"] not in (ABSENT, FIXED):
        return Decision(
            f"left unchanged: openapi_url is already set by the project ({openapi.code}), and the docs "
            "pages are served only when it is; check that it is off in production"
        )
    # A page already off (None) stays off and needs no flag; one the project gates
    # itself lends its condition to the schema, so the docs work wherever they did.
    others = {key: keywords[key] for key in ("docs_url", "redoc_url") if kinds[key] in (CONDITIONAL, COMPUTED)}
    changed = frozenset(key for key in DOCS_KEYS if kinds[key] == FIXED)
    added = tuple(key for key in DOCS_KEYS if kinds[key] == ABSENT)
    condition = None
    if others:
        conditions = {keyword.condition for keyword in others.values()}
        if None in conditions or len(conditions) != 1:
            controlled = ", ".join(f"{key}={keyword.code}" for key, keyword in others.items())
            return Decision(
                f"left unchanged: {controlled} is set but openapi_url is not, so the schema is still served "
                "at /openapi.json; make openapi_url conditional on the same setting (or None)"
            )
        condition = next(iter(conditions))
    elif kinds["docs_url"] == kinds["redoc_url"] == OFF:
        return Decision(
            "left unchanged: docs_url and redoc_url are None but openapi_url is not, so the schema is still "
            "served at /openapi.json; set openapi_url too unless clients need the schema"
        )
    refused = uses_refusal(facts, relpath, path, changed | set(added))
    if refused is not None:
        return Decision(refused)
    return Decision(None, changed, added, condition)


def uses_refusal(facts: DocsFacts, relpath: str, path: str, keys: frozenset[str] | set[str]) -> str | None:
    """The finding when something of the project uses the URLs the rewrite would turn
    off: code, templates and static files (any app's), and the tests that may be
    testing this app; None when nothing does."""
    uses = [r for r in facts.references if r.key in keys]
    if uses:
        first = uses[0]
        return (
            f"left unchanged: {first.where} {first.what}{more(uses)}: the project uses the docs, and hiding them "
            "would break that wherever they are off; make openapi_url, docs_url and redoc_url conditional by hand "
            "if every such use is for development only"
        )
    requests = [r for r in facts.app_requests.get(relpath, ()) if r.key in keys]
    if not requests:
        return None
    first = requests[0]
    if all(r.path == path for r in requests):
        return f"not rewritten: this app is built by a test, and {first.where} requests {first.url} from it"
    if first.traced:
        what = f"{first.where} requests {first.url} from this app{more(requests)}"
    else:
        what = (
            f"{first.where} requests {first.url}{more(requests)} and its app could not be traced (the test "
            "imports no module that builds one), so it may be this one"
        )
    return (
        f"not rewritten: {what}; the project tests its docs, so they are part of what it serves. Make "
        "openapi_url, docs_url and redoc_url conditional by hand if they are for development only, keeping them "
        "on where the tests run"
    )


def flag_plan(facts: DocsFacts, relpath: str, options: Mapping[str, object]) -> FlagPlan | str:
    """The flag for the apps of ``relpath``: the configured one, the project's
    settings, or the environment-variable fallback; a finding when the configured
    flag cannot be used."""
    flag = str(options.get("flag") or "").strip()
    if flag:
        try:
            compile(flag, "<flag>", "eval")
            return config_plan(flag, str(options.get("flag_import") or ""))
        except (SyntaxError, ValueError) as error:
            return f"cannot use the configured flag/flag_import ({error}); app left unchanged"
    plan = facts.plans.get(relpath)
    if plan is None:
        return env_var_plan(str(options.get("env_var") or DEFAULT_ENV_VAR), "no project analysis available")
    return plan


def lent_note(decision: Decision) -> str:
    """What a reviewer must know when the app's own page condition now gates the schema too."""
    keys = " and ".join(key for key in DOCS_KEYS if key in decision.changed or key in decision.added)
    return (
        f"{keys} now follow{'s' if ' and ' not in keys else ''} the condition the project gives its docs pages "
        f"({decision.condition}): /openapi.json is served only where the docs pages are"
    )


def rival_reason(line: int) -> str:
    """Two apps under one ``if``: the project picks its app per environment."""
    return (
        f"left unchanged: this module picks between apps at run time (another FastAPI() at line {line} under the "
        "same if): make sure the production one sets openapi_url=None, docs_url=None and redoc_url=None"
    )


KWARGS_REASON = "it may already hold openapi_url/docs_url/redoc_url, and adding them beside it raises TypeError"


def kwargs_reason(star: str, shape: str) -> str:
    """``FastAPI(**star)`` that cannot be rewritten: ``shape`` is ``explicit`` (not one
    plain name, or docs keywords beside it), ``elsewhere`` (not one dict assigned and
    used once in the same scope) or ``not_literal``."""
    if shape == "explicit":
        return f"left unchanged: FastAPI() gets **{star}; {KWARGS_REASON}; set the three keys there"
    if shape == "elsewhere":
        return f"left unchanged: FastAPI() gets **{star} built elsewhere; {KWARGS_REASON}; set the three keys where it is built"
    return f"left unchanged: **{star} is not a plain dict literal; {KWARGS_REASON}; set the three keys there"


def flag_local_reason(plan: FlagPlan) -> str:
    return (
        f"left unchanged: the docs flag {plan.expression} starts with {plan.local!r}, which is a "
        "different local name here; set [tool.fastapi-codemods.conditional_docs] flag"
    )


def flag_taken_reason(plan: FlagPlan) -> str:
    return (
        f"left unchanged: the docs flag needs {plan.local!r} but this module binds that name to "
        "something else; set [tool.fastapi-codemods.conditional_docs] flag"
    )


def flag_undefined_reason(plan: FlagPlan) -> str:
    return (
        f"left unchanged: the configured flag {plan.expression} uses {plan.local!r}, which this module "
        "does not define; set flag_import"
    )


def more(uses: list) -> str:
    """`` (also tests/a.py:3, tests/b.py:7 and 2 more)`` for the uses after the first."""
    rest = uses[1:]
    if not rest:
        return ""
    shown = ", ".join(r.where for r in rest[:SHOWN_USES])
    hidden = len(rest) - SHOWN_USES
    return f" (also {shown}{f' and {hidden} more' if hidden > 0 else ''})"
