from fastapi import Depends, FastAPI

from shop.deps import rate_limit

app = FastAPI()


@app.get("/", dependencies=[Depends(rate_limit)])
async def index():
    return {"ok": True}
