import os

from fastapi import FastAPI
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool, QueuePool

app = FastAPI()
POOL_SIZE = int(os.environ.get("POOL_SIZE", "10"))


def _create_engine(*args, **kwargs):
    kwargs.setdefault("echo", False)
    return create_engine(*args, **kwargs)


if POOL_SIZE > 0:
    engine = _create_engine(os.environ["DATABASE_URL"], pool_size=POOL_SIZE, poolclass=QueuePool,
                            pool_pre_ping=True)
else:
    engine = _create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True, poolclass=NullPool)
