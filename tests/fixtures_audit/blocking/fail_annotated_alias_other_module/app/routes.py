from fastapi import APIRouter

from app.deps import DbDep, SessionDep

router = APIRouter()


@router.get("/items")
async def list_items(session: SessionDep):
    return session.execute("SELECT * FROM items").all()


@router.delete("/items/{item_id}")
async def delete_item(item_id: int, db: DbDep):
    db.execute("DELETE FROM items WHERE id = :id", {"id": item_id})
    db.commit()
