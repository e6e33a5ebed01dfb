from typing import Annotated, Any, Dict

import httpx
from fastapi import Depends, FastAPI, Query, Request, WebSocket
from pydantic import BaseModel

app = FastAPI()


class ItemIn(BaseModel):
    name: str


def get_claims() -> dict[str, Any]:
    return {}


Claims = Annotated[dict, Depends(get_claims)]


@app.post("/items")
async def create_item(item: ItemIn, claims: Dict[str, Any] = Depends(get_claims)) -> dict[str, Any]:
    return {"name": item.name, **claims}


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None, tags: list[str] = Query([])) -> dict[str, int]:
    return {"id": item_id}


@app.get("/me")
async def me(claims: Claims, request: Request, other: Annotated[dict, Depends(get_claims)]) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get("https://example.org")
    payload = response.json()

    async def later() -> Any:
        return await request.json()

    return {"claims": claims, "payload": payload, "later": later}


@app.websocket("/ws")
async def ws(websocket: WebSocket) -> None:
    await websocket.receive_json()
