"""CivicLens API: the application, its routers and its lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import auth, reports, users
from app.core.config import settings
from app.core.database import close_db, init_db


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Startup and shutdown events"""
    # Startup
    print("🚀 Starting CivicLens API...")
    try:
        await init_db()
    except Exception as exc:
        print(f"❌ Database - Connection failed: {exc}")
        raise
    print("✅ Database - Connected")

    yield

    # Shutdown
    print("\n🔄 Shutting down CivicLens API...")
    await close_db()
    print("✅ Cleanup complete")


app = FastAPI(
    title=settings.APP_NAME,
    version=settings.APP_VERSION,
    description="AI-Powered Civic Issue Reporting and Resolution System",
    lifespan=lifespan,
    # docs_url="/docs",  # Default: /docs (Swagger UI)
    # redoc_url="/redoc",  # Default: /redoc (ReDoc)
    # openapi_url="/openapi.json"  # Default: /openapi.json
)

app.include_router(auth.router)
app.include_router(reports.router)
app.include_router(users.router)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "environment": settings.ENVIRONMENT}


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        "app.main:app",
        host="0.0.0.0",
        port=8000,
        reload=settings.DEBUG,  # Only for development
    )
