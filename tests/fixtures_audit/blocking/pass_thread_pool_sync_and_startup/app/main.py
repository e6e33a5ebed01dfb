from contextlib import asynccontextmanager

import requests
from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import SessionLocal, get_db


def seed() -> None:
    with SessionLocal() as session:
        session.execute("INSERT INTO flags VALUES (1)")
        session.commit()


@asynccontextmanager
async def lifespan(app):
    seed()  # once, at startup
    yield


app = FastAPI(lifespan=lifespan)


def count_rows() -> int:
    with SessionLocal() as session:
        return session.execute("SELECT count(*) FROM rows").scalar()


def remote_flag():
    return requests.get("https://flags.example", timeout=5).json()


@app.get("/count")
async def count():
    return {"rows": await run_in_threadpool(count_rows)}


@app.get("/sync")
def sync_route(db=Depends(get_db), flag=Depends(remote_flag)):
    return {"rows": db.query(dict).count(), "flag": flag}


async def get_async_db():
    yield AsyncSession()


@app.get("/async")
async def async_route(db: AsyncSession = Depends(get_async_db)):
    return (await db.execute("SELECT 1")).scalar()
