from fastapi import FastAPI

OPTIONS = {"title": "x"}
app = FastAPI(**OPTIONS)
