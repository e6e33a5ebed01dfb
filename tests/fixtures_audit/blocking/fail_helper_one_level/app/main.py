import time

from fastapi import FastAPI

from app import services
from app.services import pure

app = FastAPI()


def throttle() -> None:
    time.sleep(0.5)


@app.get("/rates")
async def rates():
    throttle()
    pure(2)
    return {"rates": services.fetch_rates().decode()}
