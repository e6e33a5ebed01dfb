from fastapi import Depends, FastAPI

from app.database import get_db
from app.repositories import UserRepository

app = FastAPI()


@app.get("/users/{user_id}")
async def read_user(user_id: int, db=Depends(get_db)):
    return UserRepository(db).get(user_id)


@app.get("/sync/users/{user_id}")
def read_user_sync(user_id: int, db=Depends(get_db)):
    repository = UserRepository(db)
    return repository.get(user_id)
