import os

import sqlalchemy.ext.asyncio as sa_async

engine = sa_async.create_async_engine(
    os.environ["DATABASE_URL"],
    pool_size=20,
    max_overflow=10,
    pool_pre_ping=True,
)
