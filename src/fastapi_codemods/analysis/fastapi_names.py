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
# Other frameworks whose apps and routers have ``.get``/``.post``/``.options``...
# decorators too (Slack Bolt's ``@app.options``, Flask's ``@bp.get``): an object
# built by one of them is no FastAPI app or router, so its handlers are no routes.
OTHER_FRAMEWORKS = frozenset({
    "slack_bolt", "flask", "quart", "sanic", "aiohttp", "ninja", "robyn", "bottle", "blacksheep", "apiflask",
    "falcon", "socketio", "litestar", "tornado", "django", "discord", "telegram", "aiogram", "fastmcp", "mcp",
})


def is_other_framework(qualified: str | None) -> bool:
    """``qualified`` (an absolute dotted name) belongs to one of `OTHER_FRAMEWORKS`."""
    return qualified is not None and qualified.split(".", 1)[0] in OTHER_FRAMEWORKS
