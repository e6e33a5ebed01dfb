from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}", response_model=dict)
async def read_user(user_id: int):
    user = await load(user_id)
    return {"id": user.id, "name": user.name}
