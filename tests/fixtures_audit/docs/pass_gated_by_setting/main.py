import os

from fastapi import FastAPI as App

DEBUG = os.getenv("DEBUG") == "1"
app = App(openapi_url="/openapi.json" if DEBUG else None)
