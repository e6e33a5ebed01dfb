import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/test-only")
async def test_only():
    time.sleep(1)
