import uvicorn


def serve(host: str = "0.0.0.0", port: int = 8000) -> None:
    uvicorn.run("main:app", host=host, port=port)
