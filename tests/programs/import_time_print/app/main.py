from fastapi import FastAPI

from app.config import ENVIRONMENT

print("Building the app")
app = FastAPI()


@app.get("/env")
def env():
    return {"env": ENVIRONMENT}
