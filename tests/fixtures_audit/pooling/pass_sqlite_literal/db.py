from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import create_engine

engine = create_async_engine("sqlite+aiosqlite:///./app.db")
folder = "data"
sync_engine = create_engine(f"sqlite:///{folder}/app.db")
