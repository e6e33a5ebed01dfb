"""The 15 practices of the reference audit, with severity, fixing transform and advice.

Severity follows the reference audit's priorities: what blocks the event loop, leaks
secrets or leaves production blind is critical; what exposes the API or breaks under
load is high; code quality that costs time later is medium or low.
"""

from __future__ import annotations

from fastapi_codemods.audit.records import Practice

PRACTICES: tuple[Practice, ...] = (
    Practice(1, "async-blocking", "Async/blocking operations", "critical", "async_sleep",
             "Never call blocking I/O (time.sleep, requests, sync DB drivers, subprocess) inside `async def` "
             "endpoints or their dependencies: await an async client, or declare the endpoint `def` so it runs "
             "in the thread pool."),
    Practice(2, "async-libraries", "Async-friendly libraries", "high", None,
             "Prefer async clients where they are the norm: httpx over requests, asyncpg/psycopg 3 over "
             "psycopg2, motor or pymongo's AsyncMongoClient over MongoClient, redis.asyncio over sync redis."),
    Practice(3, "heavy-computation", "Heavy computation handling", "high", None,
             "Move CPU-heavy work (model inference, image processing) out of the request: a task queue, a "
             "process pool, or at least `run_in_threadpool`."),
    Practice(4, "dependencies", "Dependencies follow the same rules", "high", None,
             "Dependencies doing I/O should be `async def` with async clients; a sync `def` dependency runs in "
             "the thread pool and competes with the endpoints for it."),
    Practice(5, "background-tasks", "BackgroundTasks for side effects", "medium", "background_tasks",
             "Send notifications, audit records and other non-critical side effects after the response with "
             "`BackgroundTasks` instead of awaiting them in the endpoint."),
    Practice(6, "docs-in-production", "Swagger/ReDoc in production", "high", "conditional_docs",
             "Serve `/docs`, `/redoc` and `/openapi.json` only when a setting turns them on (off by default in "
             "production): pass `openapi_url=None` unless the flag is set."),
    Practice(7, "custom-base-model", "Custom base model", "low", None,
             "Give the project's schemas one Pydantic base model carrying the shared `model_config` instead of "
             "repeating it in every schema."),
    Practice(8, "response-models", "Response model construction", "medium", "return_orm_objects",
             "Return the ORM object and let `response_model` (with `from_attributes=True`) serialise it, "
             "instead of copying attributes into a dict by hand."),
    Practice(9, "pydantic-validation", "Pydantic validation of request bodies", "high", None,
             "Take request bodies as Pydantic models, not `dict` or `await request.json()`, so FastAPI "
             "validates and documents them."),
    Practice(10, "db-validation-dependencies", "Dependencies for DB validation", "low", None,
             "Move the repeated \"load by id or 404\" blocks into a dependency the endpoints share."),
    Practice(11, "connection-pooling", "Database connection pooling", "medium", None,
             "Create the engine once at start-up with explicit pool settings (`pool_size`, `max_overflow`, "
             "`pool_pre_ping`), never per request."),
    Practice(12, "lifespan", "Lifespan events", "medium", "lifespan",
             "Replace `@app.on_event(\"startup\")`/`(\"shutdown\")` and `add_event_handler` (deprecated) with one "
             "`lifespan` async context manager passed to `FastAPI(lifespan=...)`."),
    Practice(13, "settings-and-secrets", "Environment variables and configuration", "critical", None,
             "Read secrets and credentials from the environment through a settings class (pydantic-settings) "
             "with no real value as default; rotate any secret that was committed."),
    Practice(14, "structured-logging", "Structured logging", "critical", "print_to_logging",
             "Log through `logging` (module loggers, levels, one configuration at start-up) instead of "
             "`print()`, so production output can be filtered, structured and shipped."),
    Practice(15, "production-deployment", "Production deployment", "high", "production_server",
             "Run production with several workers (gunicorn with uvicorn workers, or `uvicorn --workers`), "
             "`reload` only in development, and `uvicorn[standard]` for uvloop and httptools."),
)

BY_NUMBER = {practice.number: practice for practice in PRACTICES}
