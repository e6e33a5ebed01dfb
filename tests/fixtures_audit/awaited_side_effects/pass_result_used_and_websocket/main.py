from fastapi import FastAPI, WebSocket

from .events import publish_dataset, send_email

app = FastAPI()


@app.post("/datasets/{dataset_id}/publish")
async def publish(dataset_id: int):
    dataset = await publish_dataset(dataset_id)
    return dataset


@app.post("/mail")
async def mail(address: str):
    return await send_email(address)


@app.websocket("/stream")
async def stream(websocket: WebSocket):
    await websocket.send_text("hello")


@app.get("/ping")
async def ping(socket: WebSocket):
    await socket.send_text("pong")
