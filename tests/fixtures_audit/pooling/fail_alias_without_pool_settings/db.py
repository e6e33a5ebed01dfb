from sqlalchemy import create_engine as make_engine

from config import DATABASE_URL

engine = make_engine(DATABASE_URL, echo=False)
