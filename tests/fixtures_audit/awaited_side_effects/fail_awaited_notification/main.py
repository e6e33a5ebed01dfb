from fastapi import FastAPI

from .mail import send_email

app = FastAPI()


@app.post("/users")
async def create_user(email: str):
    user = {"email": email}
    await send_email(email)
    return user
