from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from repositories import ItemRepository, UserRepository, get_item_repository, get_tag_repository, get_user_repository

router = APIRouter()


@router.get("/users/{user_id}")
async def read_user(user_id: int, repository: UserRepository = Depends(get_user_repository)):
    user = await repository.get(user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return user


@router.get("/items/{item_id}")
async def read_item(item_id: int, repository: Annotated[ItemRepository, Depends(get_item_repository)]):
    item = await repository.get(item_id)
    if item is None:
        raise HTTPException(status_code=404)
    return item


@router.get("/tags/{tag_id}")
async def read_tag(tag_id: int, repository=Depends(get_tag_repository)):
    tag = await repository.get(tag_id)
    if tag is None:
        raise HTTPException(status_code=404)
    return tag
