import os

from sqlalchemy import create_engine

options = {"pool_size": 10}
engine = create_engine(os.environ["DATABASE_URL"], **options)
