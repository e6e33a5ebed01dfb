"""A documentation snippet: shows the docs at /docs, as its tutorial says."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    print("root called")
    return {"message": "Hello World"}
