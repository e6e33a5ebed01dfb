from fastapi import APIRouter, HTTPException

router = APIRouter()


async def get_user(name: str) -> str | None:
    """Another module's own `get_user`, not the one pkg.first imports."""
    return name or None


@router.get("/accounts/{name}")
async def read_account(name: str) -> dict[str, str]:
    user = await get_user(name)
    if not user:
        raise HTTPException(status_code=404)
    return {"name": name}
