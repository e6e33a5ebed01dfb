from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.catalog import load_catalog


@asynccontextmanager
async def lifespan(app: FastAPI):
    count = len(load_catalog())
    print(f"Catalog loaded: {count} products")
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/products")
async def products():
    items = load_catalog()
    print(f"Listing {len(items)} products")
    return items
