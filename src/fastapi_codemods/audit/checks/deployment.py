"""Practice 15: production served with reload, by a single worker, or without uvloop.

Reads the application's modules (test code, test helpers and documentation snippets
aside) and the deployment files of the root and its parents up to the git work tree
(without one, up to the first folder holding packaging files; the root alone when
there is neither): ``Procfile``, ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``,
``docker-compose*.yml``/``compose*.yml`` (and ``.yaml``), ``gunicorn.conf.py``,
``gunicorn_conf.py``, and ``*.sh`` scripts that start a server, in each folder and in
its ``docker``, ``deploy``, ``deployment``, ``scripts`` and ``bin`` subfolders (and
their sub-folders: ``docker/api/Dockerfile``); and the same in the folders of the
app's own modules and those between them and the root (``backend/Dockerfile`` when
the audit runs on the repository holding ``backend/app/main.py``).

(a) Reload in production: ``uvicorn.run(..., reload=True)``, or a served
``uvicorn.Config(..., reload=True)`` (see (b)), with the literal ``True`` (any
import alias), unless inside an ``if`` whose test, or a function whose name or
decorator arguments (a click ``develop`` command), mention debug, dev, develop,
development, local or reload (``if settings.DEBUG:``;
``reload=settings.debug`` is no literal); and a ``--reload`` on a server command in
a ``Procfile`` or a ``Dockerfile`` whose name does not say dev (compose files and
scripts are often the development setup). Evidence at the call or line: FAIL.

(b) One worker process. A server command in a deployment file (``uvicorn
module:app`` / ``fastapi run`` / ``hypercorn`` / ``granian`` / ``gunicorn module:app``,
read whole as production_server reads it: ``\\`` continuations, compose block lists)
is judged on its own: several workers when its line or its file mentions
``--workers``, ``WEB_CONCURRENCY`` or ``UVICORN_WORKERS`` (``ENV WEB_CONCURRENCY=4``),
or runs gunicorn with ``-w`` or a config setting ``workers`` (a bare ``gunicorn`` runs
one worker, its default), its file's
name says development (``Dockerfile.dev``), or a compose or env file sets ``WEB_CONCURRENCY``/``UVICORN_WORKERS`` (uvicorn reads
them); else it is evidence, FAIL, whatever else the tree holds (a gunicorn config
or a declared gunicorn nothing starts does not make a plain ``uvicorn`` command run
several workers). In the code, outside an ``if __name__ == "__main__":`` block and
outside development guards (see (a)), a ``uvicorn.run`` call or a ``uvicorn.Config``
in a module that builds a ``uvicorn.Server`` (elsewhere a Config may only be
inspected, or served by a subclass in a thread: an embedded server) is evidence,
FAIL, unless the project configures workers elsewhere (`workers_setting`: a
gunicorn config, gunicorn declared or imported, ``workers=`` or a workers option in
the application, a deployment file mentioning them). With no start anywhere: a
gunicorn config that no deployment file or module starts (no ``gunicorn`` command,
no ``import gunicorn``): NEEDS ATTENTION; no workers configured but deployment
files: FAIL, evidence at line 0; neither (a wheel, a bare source tree; a
``__main__`` block's ``uvicorn.run`` is a development entry): NEEDS ATTENTION,
evidence at line 0, "no deployment configuration in this tree".

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
    GUNICORN_CONFIGS,
    SERVER_SITES,
    code_lines,
    deployment_files,
    uvicorn_without_standard,
    words,
    workers_setting,
)
from fastapi_codemods.analysis.start_commands import start_commands
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
    files = deployment_files(project, _app_folders(project, facts))
    failing: list[Evidence] = []
    attention: list[Evidence] = []
    for info, found in sites:
        for line, column, excerpt in found.reloads:
            failing.append(Evidence(info.path, line, column, excerpt,
                                    "reload=True outside a debug guard: the production server would watch files"))
    declarations = facts.declarations
    setting = workers_setting(project, declarations, (found for _info, found in sites), files)
    configures_workers = setting is not None
    texts = {path: [line for _number, line in code_lines(project.text(path) or "")] for path in files}
    file_starts: list[Evidence] = []
    checked = 0
    # The commands as production_server reads them (`start_commands`): continued lines,
    # compose block lists, gunicorn with or without -w.
    for item in start_commands(project, files):
        checked += 1
        if item.needs_workers:
            file_starts.append(facts.file_evidence(
                item.path, item.line, "starts the server with a single worker process" + (
                    f" ({setting}, but this command does not use it)" if setting else "")))
        if item.reload and not _reload_allowed_in(item.path):
            failing.append(facts.file_evidence(item.path, item.line, "--reload in a production server command"))
    failing.extend(file_starts)
    starts: list[Evidence] = []
    for info, found in sites:
        for line, column, excerpt, called in found.starts:
            checked += 1
            starts.append(Evidence(info.path, line, column, excerpt, START_MESSAGES[called]))
    unstarted = _unstarted_gunicorn_config(files, texts, sites, project)
    if configures_workers and not checked and unstarted:
        attention.append(facts.file_evidence(unstarted, 0, f"{unstarted.name} configures gunicorn, but no "
                                             "deployment file or module starts gunicorn: check what production runs"))
    if not configures_workers:
        if starts:
            failing.extend(starts)
        elif checked:
            pass
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
    return Outcome(Verdict.PASS, reason=f"{len(files)} deployment file(s) and {checked} server start(s) checked: "
                                        f"several workers ({setting or 'each command sets them'}), no reload")


def _app_folders(project: Project, facts: AuditFacts) -> list[Path]:
    """The folders of the modules that build an app or route, and those between them and the root."""
    root = project.root.resolve() if project.root.is_dir() else project.root.resolve().parent
    web = {relpath for relpath, role in facts.roles.items() if role.web_app}
    folders: list[Path] = []
    for path, info in project.files:
        if info.relpath not in web:
            continue
        folder = path.resolve().parent
        while folder != root and root in folder.parents and folder not in folders:
            folders.append(folder)
            folder = folder.parent
    return folders


def _unstarted_gunicorn_config(files: list[Path], texts: dict[Path, list[str]], sites, project: Project
                               ) -> Path | None:
    """A gunicorn config file when nothing in the tree starts gunicorn."""
    configs = [path for path in files if path.name in GUNICORN_CONFIGS]
    if not configs:
        return None
    starts_gunicorn = any("gunicorn" in line for path in files if path.name not in GUNICORN_CONFIGS
                          for line in texts[path])
    return None if starts_gunicorn else configs[0]


def _uvicorn_without_standard(declarations: list[Declaration], facts: AuditFacts) -> list[Evidence]:
    return [
        facts.file_evidence(item.path, item.line,
                            "uvicorn without the [standard] extra: no uvloop or httptools, declare uvicorn[standard]")
        for item in uvicorn_without_standard(declarations)
    ]
