import uvicorn as server
from fastapi import FastAPI

app = FastAPI()


if __name__ == "__main__":
    # a development entry, but nothing stops it from running in production
    server.run("main:app", host="0.0.0.0", reload=True)
