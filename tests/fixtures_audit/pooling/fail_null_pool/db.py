from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

app = FastAPI()
engine = create_async_engine("postgresql+asyncpg://db/app", poolclass=NullPool)
