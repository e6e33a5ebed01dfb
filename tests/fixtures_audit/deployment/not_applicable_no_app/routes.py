import uvicorn
from fastapi import APIRouter

router = APIRouter()

if __name__ == "__main__":
    uvicorn.run("routes:router", reload=True)
