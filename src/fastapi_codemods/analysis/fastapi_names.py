"""The qualified names that make a FastAPI app, router, route or BackgroundTasks.

Shared by the libcst transforms (`cst.fastapi`) and the stdlib-``ast`` project
analysis, and importing neither: the analysis must load without libcst (see
`fastapi_codemods.codemods.ANALYSIS_MODULES`).
"""

from __future__ import annotations

APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
BACKGROUND_TASKS_CLASSES = frozenset(
    {"fastapi.BackgroundTasks", "fastapi.background.BackgroundTasks", "starlette.background.BackgroundTasks"}
)
ROUTE_METHODS = frozenset({"get", "put", "post", "delete", "patch", "options", "head", "trace", "api_route"})
