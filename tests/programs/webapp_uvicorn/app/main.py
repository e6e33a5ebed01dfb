"""Orders API: checks its services at startup, then serves orders."""

from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException

from app.services import check_postgres, check_redis

ORDERS = {42: {"id": 42, "item": "lamp", "quantity": 2}}


@asynccontextmanager
async def lifespan(app: FastAPI):
    print("🚀 Starting Orders API...")
    print("Checking services")
    if check_redis():
        print("✅ Redis - Connected")
    try:
        check_postgres()
    except ConnectionError as error:
        print(f"❌ PostgreSQL - Connection failed: {error}")
    print("⚠️ Running with reduced functionality")
    yield
    print("👋 Orders API stopped")


app = FastAPI(title="Orders", lifespan=lifespan)


@app.get("/orders/{order_id}")
async def read_order(order_id: int):
    print(f"Fetching order {order_id}")
    if order_id not in ORDERS:
        raise HTTPException(status_code=404, detail="no such order")
    return ORDERS[order_id]
