from fastapi import FastAPI

from app.services import order_summary

app = FastAPI()


@app.get("/customers/{customer}/summary")
async def summary(customer: int):
    return order_summary(customer)
