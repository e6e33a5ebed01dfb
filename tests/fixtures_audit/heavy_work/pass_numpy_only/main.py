import numpy as np
from fastapi import FastAPI

app = FastAPI()


@app.post("/mean")
async def mean(values: list[float]):
    return {"mean": float(np.mean(values))}
