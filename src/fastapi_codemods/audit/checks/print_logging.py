"""Practice 14: ``print()`` instead of logging, and no logging configuration.

Reuses print_to_logging's and setup_logging's ``ast`` analyses: the evidence is each
``print`` the transform would rewrite or report (`analysis.programs.print_candidates`
and `print_sites` with its options: command-line programs, test code and
``__main__`` blocks keep their prints and are not evidence) that the web app or a
worker runs (the program model's call reach: a function a CLI, a script or a
``__main__`` block runs is their output), in the application's modules; and, when a
web app's own program configures no logging (`analysis.program_model`), one item at
the app's construction saying so. Prints: FAIL. Only the missing
configuration: NEEDS ATTENTION. Neither: PASS. No app, router or route: NOT
APPLICABLE.
"""

from __future__ import annotations

from fastapi_codemods.analysis import code_roles, logging_config, programs
from fastapi_codemods.analysis.astnames import ImportMap, app_constructions
from fastapi_codemods.analysis.program_model import ProgramModel
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.audit.facts import AuditFacts, evidence_at
from fastapi_codemods.audit.records import Evidence, Outcome, Verdict

TRANSFORM = "print_to_logging"
FILE_PASSES = (*programs.FILE_PASSES, logging_config.CONFIGURES_LOGGING)


def check(project: Project, facts: AuditFacts) -> Outcome:
    """FAIL for prints in application code; see the module."""
    if not facts.web_app:
        return Outcome(Verdict.NOT_APPLICABLE, reason="no FastAPI app, router or route found")
    options = facts.options[TRANSFORM]
    candidates = programs.print_candidates(project, options, programs.command_line_programs(project))
    model = ProgramModel.of(project)
    scopes = {
        info.relpath: {site.line: site.scope for site in sites}
        for _path, info, sites in project.results(programs.PRINT_SITES, options)
    }
    evidence: list[Evidence] = []
    for info, tree, text in facts.application_sources(candidates.files):
        for site in programs.print_sites(tree, text, options["skip_main_guard"]):
            scope = scopes.get(info.relpath, {}).get(getattr(site, "lineno", 0))
            if scope is None or _run_by_the_server(model, info.module, scope):
                evidence.append(evidence_at(info, text, site, "print() in application code: log it instead"))
    prints = bool(evidence)
    webs = [program for program in model.programs if program.kind == "web"]
    configured = all(p.configured for p in webs) if webs else logging_config.logging_configured(project)
    if not configured:
        evidence.append(_no_configuration(project, facts))
    if prints:
        return Outcome(Verdict.FAIL, tuple(evidence))
    if evidence:
        return Outcome(Verdict.NEEDS_ATTENTION, tuple(evidence))
    return Outcome(Verdict.PASS, reason="no print() in the code the web app runs (command-line programs, tests and "
                                        "__main__ blocks keep theirs), and logging is configured")


def _run_by_the_server(model: ProgramModel, module: str, scope: str) -> bool:
    """Code the web app or a worker runs (the program model's call reach; a function
    no program is known to reach counts when the web app imports its module), not a
    command-line program's, a script's or a ``__main__`` block's output."""
    running = model.running(module, scope) or model.web_programs_importing(module)
    return bool(running) and all(program.kind in ("web", "worker") for program in running)


def _no_configuration(project: Project, facts: AuditFacts) -> Evidence:
    """The missing configuration, shown at the first application module building an app."""
    message = (
        "no logging configuration found (basicConfig, dictConfig, a handler, uvicorn log_config...): "
        f"`fastapi-codemods run --only setup_logging {facts.root}` adds one"
    )
    for path, info, role in project.results(code_roles.MODULE_ROLES, {}):
        if not role.builds_app or not facts.is_application(info):
            continue
        tree, text = project.tree(path), project.text(path)
        calls = app_constructions(tree, ImportMap(tree, info.package)) if tree is not None else []
        if calls and text is not None:
            return evidence_at(info, text, calls[0], message)
    return Evidence(facts.root, 0, 0, "", message)
