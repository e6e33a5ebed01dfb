import json

from fastapi import APIRouter, Response

from db import LEGS, ChatModel, VoiceModel

router = APIRouter()


@router.post("/chat-model/{model_id}")
async def select_chat_model(model_id: int) -> Response:
    chat_model = await ChatModel.objects.filter(id=model_id).afirst()
    if chat_model is None:
        return Response(status_code=404, content=json.dumps({"error": "not found"}))
    return Response(status_code=200)


@router.delete("/chat-model/{model_id}")
async def delete_chat_model(model_id: int) -> Response:
    chat_model = await ChatModel.objects.filter(id=model_id).afirst()
    if not chat_model:
        return Response(content="", status_code=404)
    await chat_model.adelete()
    return Response(status_code=204)


@router.post("/voice-model/{model_id}")
async def select_voice_model(model_id: int) -> Response:
    voice_model = await VoiceModel.objects.filter(id=model_id).afirst()
    if voice_model is None:
        return Response(status_code=404)
    return Response(status_code=200)


@router.get("/voice-model/{model_id}/legs")
async def voice_model_legs(model_id: int) -> Response:
    legs = LEGS.validate_python(await VoiceModel.objects.filter(id=model_id).afirst() or ())
    if not legs:
        return Response(status_code=404)
    return Response(status_code=200)
