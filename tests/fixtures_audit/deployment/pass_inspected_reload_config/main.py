from fastapi import FastAPI
from uvicorn import Config

app = FastAPI()


def watched_folders() -> list[str]:
    # Built to read uvicorn's defaults, never served.
    return [str(folder) for folder in Config("main:app", reload=True).reload_dirs]
