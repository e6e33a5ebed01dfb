"""The application: its docs become conditional, its print becomes logging."""

from fastapi import FastAPI

app = FastAPI(title="Shop API")


@app.get("/health")
def health() -> dict[str, str]:
    print("health checked")
    return {"status": "ok"}
