import asyncio
import time
from asyncio import sleep

import requests
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

app = FastAPI()


def slow_report() -> str:
    time.sleep(1)
    return "done"


@app.get("/pause")
async def pause():
    await sleep(1)
    return {"ok": True}


@app.get("/threaded")
async def threaded(url: str):
    response = await run_in_threadpool(requests.get, url, timeout=5)
    report = await asyncio.to_thread(slow_report)
    return {"status": response.status_code, "report": report}


@app.get("/nested")
async def nested():
    def later() -> None:
        time.sleep(1)

    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, later)
    return {"ok": True}


@app.get("/shadowed")
async def shadowed(requests: dict, open: bool = False):
    requests.get("key")
    return {"open": open}


@app.get("/sync")
def sync_route():
    time.sleep(1)
    return {"ok": True}


@app.get("/annotated-sync-but-async")
async def mislabelled(session: Session):
    result = await session.execute("select 1")
    return {"rows": result.all()}
