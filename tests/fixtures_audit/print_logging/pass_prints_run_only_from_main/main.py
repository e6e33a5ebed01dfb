import logging

from fastapi import FastAPI

import rbac

logging.basicConfig(level=logging.INFO)
app = FastAPI()


@app.get("/can/{role}/{action}")
def can(role: str, action: str) -> bool:
    return rbac.can(role, action)
