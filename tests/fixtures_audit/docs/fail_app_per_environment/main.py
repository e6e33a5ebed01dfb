import os

from fastapi import FastAPI

if os.environ.get("APP_ENV") == "development":
    app = FastAPI(debug=True)
else:
    app = FastAPI(docs_url=None)
