from typing import Annotated, Any, Dict as D, Mapping, Optional

from fastapi import APIRouter, Body, FastAPI

app = FastAPI()
router = APIRouter()

Payload = dict[str, Any]


@app.post("/items")
async def create_item(payload: dict) -> dict[str, str]:
    return {"name": payload["name"]}


@app.put("/items/{item_id}")
async def update_item(item_id: int, data: D[str, Any] = Body(...)) -> None:
    return None


@router.post("/bulk")
def bulk(items: list[dict[str, Any]], note: Annotated[Optional[Mapping[str, int]], Body()] = None) -> None:
    return None


@router.patch("/settings")
async def patch_settings(changes: Payload, extra: Any = Body(None)) -> None:
    return None


def import_rows(rows: dict | None = None) -> None:
    return None


app.add_api_route("/import", import_rows, methods=["POST"])
