"""Inventory service."""

"Second string literal: a note the author left before the imports."

__version__ = "1.2.0"

from fastapi import FastAPI  # noqa: E402

from app.stock import count_items  # noqa: E402

app = FastAPI()


@app.get("/stock")
def stock():
    print(f"Inventory {__version__}: counting")
    return {"count": count_items()}
