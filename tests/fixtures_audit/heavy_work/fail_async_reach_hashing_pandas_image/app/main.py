from fastapi import FastAPI, UploadFile
from fastapi.concurrency import run_in_threadpool

from app.reports import monthly_totals, thumbnail
from app.users import authenticate

app = FastAPI()


@app.post("/login")
async def login(username: str, password: str):
    return {"ok": authenticate(username, password)}


@app.post("/totals")
async def totals(rows: list[dict]):
    return monthly_totals(rows)


@app.post("/thumbnail")
async def make_thumbnail(file: UploadFile):
    return {"size": len(thumbnail(await file.read()))}


@app.post("/thumbnail/offloaded")
async def offloaded_thumbnail(file: UploadFile):
    return {"size": len(await run_in_threadpool(thumbnail, await file.read()))}


@app.post("/login/sync")
def login_sync(username: str, password: str):
    # a sync route: the hashing runs in the thread pool
    return {"ok": authenticate(username, password)}
