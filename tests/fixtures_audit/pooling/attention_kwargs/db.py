import os

from sqlalchemy import create_engine


def make_engine(**kwargs):
    return create_engine(os.environ["DATABASE_URL"], **kwargs)


engine = make_engine(echo=True)
