import psycopg2
import requests
from fastapi import FastAPI

from app.tasks import notify

app = FastAPI()


@app.get("/status")
def status():
    with psycopg2.connect("dbname=app") as connection:
        connection.cursor().execute("SELECT 1")
    return requests.get("https://status.example", timeout=5).json()


@app.post("/notify")
async def send(url: str):
    notify.delay(url)
    return {"queued": True}
