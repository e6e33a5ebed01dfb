from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/echo")
async def echo(payload: dict, request: Request) -> dict:
    return await request.json()


def test_echo() -> None:
    assert echo
