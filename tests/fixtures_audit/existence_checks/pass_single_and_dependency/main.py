from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from db import Item, User, get_current_user, get_db

app = FastAPI()


def get_item_or_404(item_id: int, db: Session = Depends(get_db)) -> Item:
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    return item


@app.get("/items/{item_id}")
def read_item(item: Item = Depends(get_item_or_404)) -> Item:
    return item


@app.delete("/items/{item_id}")
def delete_item(item: Item = Depends(get_item_or_404), db: Session = Depends(get_db)) -> None:
    db.delete(item)


@app.get("/users/{user_id}")
def read_user(user_id: int, db: Session = Depends(get_db)) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return user


@app.get("/me/profile")
def my_profile(current: User = Depends(get_current_user), db: Session = Depends(get_db)) -> User:
    profile = db.get(User, current.id)
    if profile is None:
        raise HTTPException(status_code=404)
    return profile


@app.get("/me/settings")
def my_settings(current: User = Depends(get_current_user), db: Session = Depends(get_db)) -> User:
    profile = db.get(User, current.id)
    if profile is None:
        raise HTTPException(status_code=404)
    return profile


@app.post("/users/{user_id}/check")
def check_user(user_id: int, db: Session = Depends(get_db)) -> None:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=400, detail="unknown user")


@app.post("/users/{user_id}/later")
async def later(user_id: int, db: Session = Depends(get_db)) -> None:
    def load() -> User:
        user = db.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=404)
        return user

    def load_again() -> User:
        user = db.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=404)
        return user

    load()
    load_again()
