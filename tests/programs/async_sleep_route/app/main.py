import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/slow")
async def slow():
    print("Starting slow call")
    time.sleep(0)
    print("Slow call finished")
    return {"done": True}
