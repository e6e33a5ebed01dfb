from fastapi import Depends, FastAPI, Header

from app.auth import find_user
from app.database import get_db

app = FastAPI()


async def current_user(authorization: str = Header(), db=Depends(get_db)):
    return find_user(db, authorization)


@app.get("/me")
async def me(user=Depends(current_user)):
    return {"user": str(user)}
