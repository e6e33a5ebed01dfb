from fastapi import APIRouter, Depends

from main import root


def get_router(root) -> APIRouter:
    router = APIRouter()

    @router.get("/factory")
    def factory_route(value=Depends(root)):
        return value

    return router
