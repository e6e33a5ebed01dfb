import os

from sqlalchemy import create_engine

from settings import settings

engine = create_engine(os.environ["DATABASE_URL"], **settings.engine_options)
