from fastapi import FastAPI
from sqlalchemy import create_engine

from settings import settings

app = FastAPI()


def make_engine():
    options = {"pool_pre_ping": True}
    if not settings.database_url.startswith("sqlite"):
        options["pool_size"] = settings.pool_size
        options.update(max_overflow=10)
    return create_engine(settings.database_url, **options)


engine = make_engine()
