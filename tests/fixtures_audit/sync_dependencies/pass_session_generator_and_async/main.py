import time

import httpx
from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("sqlite:///app.db")
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def pagination(limit: int = 10, offset: int = 0) -> dict:
    return {"limit": limit, "offset": offset}


async def get_profile(token: str) -> dict:
    async with httpx.AsyncClient() as client:
        return (await client.get("https://auth.example/me", headers={"Authorization": token})).json()


def unused_helper() -> None:
    time.sleep(1)


@app.get("/items")
def items(db=Depends(get_db), page: dict = Depends(pagination), profile: dict = Depends(get_profile)):
    return {"page": page, "profile": profile}
