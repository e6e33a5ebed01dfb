from fastapi import Depends, FastAPI

from app.deps import current_user

app = FastAPI()


@app.get("/me")
async def me(user=Depends(current_user)):
    return {"user": str(user)}
