import asyncio

from fastapi import APIRouter, Depends

from .deps import get_session
from .events import notify_team, record_audit

router = APIRouter()


@router.delete("/items/{item_id}")
async def delete_item(item_id: int, session=Depends(get_session)):
    await session.delete(item_id)
    await asyncio.gather(notify_team(item_id), record_audit(session, item_id))
    return None
