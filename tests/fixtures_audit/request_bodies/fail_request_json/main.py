import json

import orjson
from fastapi import FastAPI
from starlette.requests import Request as StarletteRequest

app = FastAPI()


@app.post("/orders/import")
async def import_orders(request: StarletteRequest) -> dict[str, bool]:
    event = await request.json()
    return {"ok": bool(event)}


@app.post("/events")
async def events(req: StarletteRequest) -> None:
    data = json.loads(await req.body())
    raw = await req.body()
    again = orjson.loads(raw)
    del data, again
