import os

from fastapi import FastAPI
from sqlalchemy import create_engine

app = FastAPI()
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./app.db")

if "sqlite" in DATABASE_URL:
    engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
else:
    engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=20, pool_pre_ping=True)
