import asyncio

from fastapi import FastAPI, UploadFile
from fastapi.concurrency import run_in_threadpool
from PIL import Image

app = FastAPI()


def grayscale(stream) -> tuple[int, int]:
    return Image.open(stream).convert("L").size


@app.post("/gray")
async def gray(file: UploadFile):
    size = await run_in_threadpool(grayscale, file.file)
    other = await asyncio.to_thread(lambda: Image.open(file.file).rotate(90).size)
    return {"size": size, "other": other}
