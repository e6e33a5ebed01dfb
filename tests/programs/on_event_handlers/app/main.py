from fastapi import FastAPI

app = FastAPI()
CACHE: dict[str, str] = {}


@app.on_event("startup")
async def warm_cache():
    print("Warming cache...")
    CACHE["greeting"] = "hello"
    print(f"Cache warmed with {len(CACHE)} keys")


@app.on_event("shutdown")
async def flush_cache():
    print("Flushing cache")


@app.get("/greeting")
async def greeting():
    print("Serving greeting from cache")
    return {"greeting": CACHE["greeting"]}
