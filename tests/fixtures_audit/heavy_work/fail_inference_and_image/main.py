from fastapi import FastAPI, UploadFile
from PIL import Image
from sentence_transformers import SentenceTransformer

from imaging import thumbnail

app = FastAPI()
model = SentenceTransformer("all-MiniLM-L6-v2")


@app.post("/embed")
def embed(texts: list[str]):
    return {"vectors": model.encode(texts).tolist()}


@app.post("/resize")
async def resize(file: UploadFile):
    image = Image.open(file.file)
    image = image.convert("RGB")
    small = image.resize((64, 64))
    return {"size": small.size}


@app.post("/thumbnail")
async def make_thumbnail(file: UploadFile):
    return {"size": thumbnail(file.file)}
