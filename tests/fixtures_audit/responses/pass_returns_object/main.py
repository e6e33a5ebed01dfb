from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}", response_model=dict)
async def read_user(user_id: int):
    return await load(user_id)
