"""CivicLens API: the application, its routers and its start-up and shutdown events."""

from fastapi import FastAPI

from app.api import auth, reports, users
from app.core.config import settings
from app.core.database import close_db, init_db


app = FastAPI(
    title=settings.APP_NAME,
    version=settings.APP_VERSION,
    description="AI-Powered Civic Issue Reporting and Resolution System",
    # docs_url="/docs",  # Default: /docs (Swagger UI)
    # redoc_url="/redoc",  # Default: /redoc (ReDoc)
    # openapi_url="/openapi.json"  # Default: /openapi.json
)

app.include_router(auth.router)
app.include_router(reports.router)
app.include_router(users.router)


@app.on_event("startup")
async def open_database() -> None:
    """Startup: create the tables before the first request."""
    print("🚀 Starting CivicLens API...")
    try:
        await init_db()
    except Exception as exc:
        print(f"❌ Database - Connection failed: {exc}")
        raise
    print("✅ Database - Connected")


@app.on_event("shutdown")
async def close_database() -> None:
    """Shutdown: close the engine's connections."""
    print("\n🔄 Shutting down CivicLens API...")
    await close_db()
    print("✅ Cleanup complete")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "environment": settings.ENVIRONMENT}


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        "app.main:app",
        host="0.0.0.0",
        port=8000,
        reload=True,  # Only for development
    )
