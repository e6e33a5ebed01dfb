import torch
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/predict")
async def predict(request: Request, values: list[float]):
    with torch.no_grad():
        device = torch.device("cpu")
        return {"result": request.app.state.model.predict(values, device=device)}
