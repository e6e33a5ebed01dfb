from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from app.deps import get_profile, verify_key
from app.deps.auth import pure

router = APIRouter(dependencies=[Depends(verify_key)])
app = FastAPI()


@router.get("/me")
def me(profile: Annotated[dict, Depends(get_profile)], token: str = Depends(pure)):
    return profile


app.include_router(router)
