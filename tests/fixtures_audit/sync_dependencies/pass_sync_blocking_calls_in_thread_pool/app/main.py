from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from app.deps import get_profile, verify_key
from app.deps.auth import pure
from app.deps.quota import Quota

router = APIRouter(dependencies=[Depends(verify_key), Depends(Quota(5))])
app = FastAPI()


@router.get("/me")
def me(profile: Annotated[dict, Depends(get_profile)], token: str = Depends(pure)):
    return profile


app.include_router(router)
