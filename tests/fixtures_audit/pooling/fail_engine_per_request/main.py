import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()


def connect():
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True).connect()


@app.get("/count")
def count() -> int:
    engine = create_engine(os.environ["DATABASE_URL"], pool_size=5)
    with engine.connect() as connection:
        users = connection.execute(text("select count(*) from users")).scalar()
    with connect() as connection:
        return users + connection.execute(text("select count(*) from admins")).scalar()
