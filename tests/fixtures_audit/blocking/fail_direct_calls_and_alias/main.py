import subprocess
from time import sleep as nap

import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/wait")
async def wait():
    nap(1)
    return {"ok": True}


@app.get("/proxy")
async def proxy(url: str):
    response = requests.get(url, timeout=5)
    return response.json()


@app.post("/report")
async def report():
    with open("report.txt") as handle:
        text = handle.read()
    subprocess.run(["true"], check=True)
    return {"text": text}


@app.get("/client")
async def client_call():
    import httpx

    with httpx.Client() as client:
        return client.get("https://example.com").json()
