import uvicorn
from fastapi import FastAPI

from config import settings

app = FastAPI()


if __name__ == "__main__":
    if settings.DEBUG:
        uvicorn.run("main:app", reload=True)
    else:
        uvicorn.run("main:app", reload=settings.RELOAD)
