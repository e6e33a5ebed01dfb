from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Dict(BaseModel):
    """This module's own `Dict` is a model: a body FastAPI validates."""

    key: str


dict = Dict


@router.post("/pairs")
async def add_pair(pair: Dict, other: dict) -> None:
    return None
