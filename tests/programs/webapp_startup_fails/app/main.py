"""Billing API: refuses to start without its database."""

from contextlib import asynccontextmanager

from fastapi import FastAPI


def connect_database() -> bool:
    return False


@asynccontextmanager
async def lifespan(app: FastAPI):
    print("🚀 Starting Billing API...")
    if not connect_database():
        print("❌ PostgreSQL - Connection failed")
        print("❌ Critical service failed. Application cannot start.")
        raise RuntimeError("database unavailable")
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health():
    return {"ok": True}
