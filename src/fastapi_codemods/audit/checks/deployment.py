"""Practice 15: production served with reload, by a single worker, or without uvloop.

Reads the application's modules (test code, test helpers and documentation snippets
aside) and the deployment files of the root and its parents up to the git work tree
(without one, up to the first folder holding packaging files; the root alone when
there is neither): ``Procfile``, ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``,
``docker-compose*.yml``/``compose*.yml`` (and ``.yaml``), ``gunicorn.conf.py``,
``gunicorn_conf.py``, and ``*.sh`` scripts that start a server, in each folder and in
its ``docker``, ``deploy``, ``deployment``, ``scripts`` and ``bin`` subfolders.

(a) Reload in production: ``uvicorn.run(..., reload=True)``, or a served
``uvicorn.Config(..., reload=True)`` (see (b)), with the literal ``True`` (any
import alias), unless inside an ``if`` whose test, or a function whose name,
mentions debug, dev, development, local or reload (``if settings.DEBUG:``;
``reload=settings.debug`` is no literal); and a ``--reload`` on a server command in
a ``Procfile`` or a ``Dockerfile`` whose name does not say dev (compose files and
scripts are often the development setup). Evidence at the call or line: FAIL.

(b) One worker process: workers are configured when a gunicorn config file exists,
``gunicorn`` is declared as a runtime dependency or imported by the application,
the application calls ``uvicorn.run(..., workers=...)`` or holds the string
``--workers``, ``WEB_CONCURRENCY`` or ``UVICORN_WORKERS`` (a CLI option, an
environment variable), or a deployment file mentions ``gunicorn``, ``--workers``,
``WEB_CONCURRENCY`` or ``UVICORN_WORKERS``. Otherwise each server start is
evidence, FAIL: a ``uvicorn module:app`` / ``fastapi run`` / ``hypercorn`` /
``granian`` command in a deployment file, or, outside an ``if __name__ ==
"__main__":`` block (so in a launcher the package ships), a ``uvicorn.run`` call or
a ``uvicorn.Config`` in a module that builds a ``uvicorn.Server`` (elsewhere a
Config may only be inspected, or served by a subclass in a thread: an embedded
server). With no such start but deployment files: FAIL, evidence at line 0. With
neither (a wheel, a bare source tree; a ``__main__`` block's ``uvicorn.run`` is a
development entry): NEEDS ATTENTION, evidence at line 0, "no deployment
configuration in this tree".

(c) No uvloop and httptools: ``uvicorn`` declared as a runtime dependency
(`analysis.dependencies`) without the ``standard`` extra while neither ``uvloop``
nor ``httptools`` is declared: evidence at the declaration, NEEDS ATTENTION (the
server runs, on the slower asyncio loop and h11 parser).

Verdict: FAIL when (a) or a FAIL of (b); else NEEDS ATTENTION when (b) found no
deployment configuration or (c); else PASS. No ``FastAPI()`` app: NOT APPLICABLE.
"""

from __future__ import annotations

from pathlib import Path

from fastapi_codemods.analysis.dependencies import Declaration
from fastapi_codemods.analysis.deployment import (
    DEVELOPMENT_WORDS,
    SERVER_COMMAND,
    SERVER_SITES,
    code_lines,
    deployment_files,
    uvicorn_without_standard,
    words,
    workers_setting,
)
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, shorten
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

START_MESSAGES = {
    "run": "uvicorn.run() without workers= serves from one process: pass workers= or serve with gunicorn",
    "Config": "uvicorn.Server serves this Config from one process: several workers need gunicorn or "
              "uvicorn.run(workers=...)",
}
FILE_PASSES = (SERVER_SITES,)
TRANSFORM = None


def _reload_allowed_in(path: Path) -> bool:
    """Compose files and scripts are often the development setup; Procfiles and
    Dockerfiles whose name does not say dev are the production one."""
    is_production_kind = path.name == "Procfile" or "dockerfile" in path.name.lower()
    return not is_production_kind or bool(words(path.name) & DEVELOPMENT_WORDS)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for reload or a single worker in production, NEEDS ATTENTION for a tree
    without deployment configuration or without uvloop; see the module."""
    if not facts.builds_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app found")
    sites = [(info, found) for _path, info, found in facts.application_results(SERVER_SITES)]
    files = deployment_files(project)
    failing: list[Evidence] = []
    attention: list[Evidence] = []
    for info, found in sites:
        for line, column, excerpt in found.reloads:
            failing.append(Evidence(info.path, line, column, excerpt,
                                    "reload=True outside a debug guard: the production server would watch files"))
    declarations = facts.declarations
    configures_workers = workers_setting(project, declarations, (found for _info, found in sites), files) is not None
    starts: list[Evidence] = []
    for path in files:
        text = project.text(path) or ""
        for number, line in code_lines(text):
            if SERVER_COMMAND.search(line):
                starts.append(facts.file_evidence(path, number, "starts the server with a single worker process"))
                if "--reload" in line and not _reload_allowed_in(path):
                    failing.append(facts.file_evidence(path, number, "--reload in a production server command"))
    for info, found in sites:
        for line, column, excerpt, called in found.starts:
            starts.append(Evidence(info.path, line, column, excerpt, START_MESSAGES[called]))
    if not configures_workers:
        if starts:
            failing.extend(starts)
        elif files:
            names = ", ".join(sorted({path.name for path in files}))
            failing.append(Evidence(facts.root, 0, 0, "", f"no workers configured in {shorten(names)}"))
        else:
            attention.append(Evidence(
                facts.root, 0, 0, "",
                "no deployment configuration in this tree: check production runs several workers",
            ))
    attention.extend(_uvicorn_without_standard(declarations, facts))
    if failing:
        return Outcome(Verdict.FAIL, tuple(failing + attention))
    if attention:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(attention))
    return Outcome(Verdict.PASS)


def _uvicorn_without_standard(declarations: list[Declaration], facts: AuditFacts) -> list[Evidence]:
    return [
        facts.file_evidence(item.path, item.line,
                            "uvicorn without the [standard] extra: no uvloop or httptools, declare uvicorn[standard]")
        for item in uvicorn_without_standard(declarations)
    ]
