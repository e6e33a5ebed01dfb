from fastapi import FastAPI
from sqlalchemy import create_engine

from app.config import DATABASE_URL

app = FastAPI()
engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=20, pool_pre_ping=True)
