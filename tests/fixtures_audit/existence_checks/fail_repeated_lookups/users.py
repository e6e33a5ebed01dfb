import logging

from fastapi import APIRouter, Depends

import crud
from db import get_db
from errors import UserNotFoundError

router = APIRouter()
logger = logging.getLogger(__name__)


@router.get("/users/{user_id}")
async def read_user(user_id: int, db=Depends(get_db)):
    user = await crud.get_user(db, user_id)
    logger.info("looked up %s", user_id)
    if user is None or user.deleted:
        raise UserNotFoundError(user_id)
    return user


@router.post("/users/{user_id}/ban")
async def ban_user(user_id: int, db=Depends(get_db)):
    try:
        user = await crud.get_user(db, user_id)
        if not user:
            raise UserNotFoundError(user_id)
    finally:
        logger.info("ban attempted")
    user.banned = True
    return user
