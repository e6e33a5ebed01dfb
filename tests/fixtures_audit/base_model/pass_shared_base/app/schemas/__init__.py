from app.schemas.base import Schema

__all__ = ["Schema"]
