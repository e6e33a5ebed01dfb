import threading

import uvicorn
from fastapi import FastAPI

app = FastAPI()


class ThreadedServer(uvicorn.Server):
    def start(self) -> None:
        threading.Thread(target=self.run).start()


def start_api() -> None:
    ThreadedServer(uvicorn.Config(app, host="127.0.0.1")).start()
