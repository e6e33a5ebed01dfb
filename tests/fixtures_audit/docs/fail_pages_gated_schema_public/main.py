import os

from fastapi import FastAPI

SHOW_DOCS = os.environ.get("APP_ENV") == "development"

app = FastAPI(docs_url="/docs" if SHOW_DOCS else None, redoc_url=None)
