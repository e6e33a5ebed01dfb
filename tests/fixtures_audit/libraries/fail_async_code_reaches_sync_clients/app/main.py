from fastapi import FastAPI

from app.rates import fetch_rates

app = FastAPI()


@app.get("/rates")
async def rates():
    return fetch_rates()


@app.get("/rates/sync")
def rates_sync():
    # a sync route: FastAPI runs it in the thread pool
    return fetch_rates()
