from fastapi import BackgroundTasks, FastAPI

from mail import send_receipt, send_welcome

app = FastAPI()


@app.post("/signup")
async def signup(address: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_welcome, address)
    background_tasks.add_task(send_receipt, address)
    return {"ok": True}
