from fastapi import FastAPI, UploadFile

from app.storage import store_avatar

app = FastAPI()


@app.post("/users/{user_id}/avatar")
async def upload_avatar(user_id: int, file: UploadFile):
    return {"key": await store_avatar(user_id, await file.read())}
