"""The routes and dependencies of one root with what they call, for practices 1, 3 and 4.

The shared reading of `analysis.request_calls`
on the application's modules, the look-up of ``Depends`` targets and helpers among
the project's functions, and evidence at a call of any of its files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path

from fastapi_codemods.analysis.project import Project
from fastapi_codemods.analysis.request_calls import REQUEST_CALLS, Call, FunctionCalls, ModuleCalls, ProjectFunctions
from fastapi_codemods.audit.facts import AuditFacts, excerpt_of
from fastapi_codemods.audit.records import Evidence
from fastapi_codemods.engine.fileinfo import FileInfo

Located = tuple[Path, FileInfo, FunctionCalls]


class RequestFunctions:
    def __init__(self, project: Project, facts: AuditFacts) -> None:
        self.project = project
        self.modules: list[tuple[Path, FileInfo, ModuleCalls]] = list(facts.application_results(REQUEST_CALLS))
        self.paths = {info.relpath: path for path, info, _ in self.modules}
        self.index = ProjectFunctions([(info, module) for _, info, module in self.modules], set(project.modules))

    @cached_property
    def routes(self) -> list[Located]:
        return [(path, info, function) for path, info, module in self.modules
                for function in module.functions if function.is_route]

    @cached_property
    def depends_targets(self) -> set[str]:
        return {target for _, _, module in self.modules for target in module.depends}

    @cached_property
    def uses_depends(self) -> bool:
        return any(module.uses_depends for _, _, module in self.modules)

    def dependencies(self) -> Iterator[Located]:
        """Each project function some ``Depends(...)`` names, once."""
        seen: set[str] = set()
        for target in sorted(self.depends_targets):
            found = self.index.find(target) or self.index.find(f"{target}.__init__")  # a class: its constructor
            if found is not None and found[1].qualified not in seen:
                seen.add(found[1].qualified)
                info, function = found
                yield self.paths[info.relpath], info, function

    def helper_calls(self, function: FunctionCalls, inner: Callable[[FunctionCalls], list[Call]]
                     ) -> Iterator[tuple[Call, FileInfo, FunctionCalls, Call]]:
        """(call site, helper's file, helper, its first ``inner`` call) for each call
        of ``function`` to a project function that makes such a call itself."""
        for call in function.calls:
            found = self.index.find(call.name)
            if found is None or found[1].qualified == function.qualified:
                continue
            made = inner(found[1])
            if made:
                yield call, found[0], found[1], made[0]

    def evidence(self, path: Path, shown: str, call: Call, message: str) -> Evidence:
        return Evidence(shown, call.line, call.column, excerpt_of(self.project.text(path) or "", call.line), message)
