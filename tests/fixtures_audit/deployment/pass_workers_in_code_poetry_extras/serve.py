import os

import uvicorn


def main() -> None:
    uvicorn.run("main:app", host="0.0.0.0", workers=int(os.environ.get("WORKERS", "4")))
