from fastapi import APIRouter, HTTPException

from db import Adapters

router = APIRouter()


@router.get("/conversations/{conversation_id}")
async def read_conversation(conversation_id: str) -> dict[str, str]:
    conversation = await Adapters.get_conversation(conversation_id)
    if conversation is None:
        raise HTTPException(status_code=404)
    return {"id": conversation_id}


@router.get("/agents/{slug}")
async def read_agent(slug: str) -> dict[str, str]:
    agent = await Adapters.get_agent_by_slug(slug)
    if agent is None:
        raise HTTPException(status_code=404)
    return {"slug": slug}


@router.put("/conversations/{conversation_id}")
async def rename_conversation(conversation_id: str, title: str) -> dict[str, str]:
    updated = await Adapters.update_conversation(conversation_id, title=title)
    if updated is None:
        raise HTTPException(status_code=404)
    return {"id": conversation_id}


@router.put("/conversations/{conversation_id}/title")
async def retitle_conversation(conversation_id: str, title: str) -> dict[str, str]:
    updated = await Adapters.update_conversation(conversation_id, title=title)
    if updated is None:
        raise HTTPException(status_code=404)
    return {"id": conversation_id}
