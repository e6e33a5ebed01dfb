import uvicorn


def serve() -> None:
    config = uvicorn.Config("main:app", host="0.0.0.0")
    uvicorn.Server(config).run()
