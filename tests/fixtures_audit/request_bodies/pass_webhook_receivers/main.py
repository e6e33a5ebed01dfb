from fastapi import FastAPI, Request

app = FastAPI()


def check_signature(payload: bytes, signature: str | None) -> None:
    ...


@app.post("/api/v1/callback/{provider}")
async def provider_event(provider: str, request: Request) -> dict[str, bool]:
    payload = await request.body()
    check_signature(payload, request.headers.get("X-Signature"))
    event = await request.json()
    return {"ok": bool(event)}


@app.post("/git/hooks")
async def trigger_webhook(request: Request) -> None:
    payload = await request.json()
    del payload
