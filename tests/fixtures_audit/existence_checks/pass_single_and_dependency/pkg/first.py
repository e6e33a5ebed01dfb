from fastapi import APIRouter, HTTPException

from pkg.users import get_user

router = APIRouter()


@router.get("/users/{name}")
async def read_user(name: str) -> dict[str, str]:
    user = await get_user(name)
    if not user:
        raise HTTPException(status_code=404)
    return {"name": name}
