from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Item, get_db

router = APIRouter()


@router.get("/items/{item_id}")
def read_item(item_id: int, db: Session = Depends(get_db)) -> Item:
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@router.delete("/items/{item_id}")
def delete_item(item_id: int, db: Session = Depends(get_db)) -> None:
    item: Item | None = db.query(Item).filter(Item.id == item_id).first()
    if not item:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    db.delete(item)


@router.put("/items/{item_id}")
async def rename_item(item_id: int, name: str, db: Session = Depends(get_db)) -> Item:
    if (item := (await db.execute(select(Item).where(Item.id == item_id))).scalar_one_or_none()) is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)
    item.name = name
    return item
