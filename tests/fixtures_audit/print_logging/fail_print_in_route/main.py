import logging

logging.basicConfig(level=logging.INFO)

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root():
    print("hello")
    return {}
