from fastapi import APIRouter, Depends, HTTPException

from repositories import UserRepository, get_user_repository

router = APIRouter()


@router.get("/users/{user_id}")
async def read_user(user_id: int, repository: UserRepository = Depends(get_user_repository)):
    user = await repository.get(user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return user


@router.delete("/users/{user_id}")
async def remove_user(user_id: int, users: UserRepository = Depends(get_user_repository)):
    user = await users.get(user_id)
    if not user:
        raise HTTPException(status_code=404)
    await users.remove(user)
