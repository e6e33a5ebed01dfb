from fastapi import FastAPI, HTTPException

app = FastAPI()
FAKE = {1: "one"}


@app.get("/a/{key}")
def first(key: int) -> str:
    value = FAKE.get(key)
    if value is None:
        raise HTTPException(404)
    return value


@app.get("/b/{key}")
def second(key: int) -> str:
    value = FAKE.get(key)
    if value is None:
        raise HTTPException(404)
    return value
