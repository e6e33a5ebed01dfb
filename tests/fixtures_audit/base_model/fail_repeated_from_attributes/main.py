from fastapi import FastAPI

from schemas import ItemOut

app = FastAPI()


@app.get("/items/{item_id}", response_model=ItemOut)
def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
