from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from slack_app import app as bolt

app = FastAPI()
handler = AsyncSlackRequestHandler(bolt)


@app.post("/slack/events")
async def slack_events(request: Request):
    return await handler.handle(request)
