import os

SECRET_KEY = os.environ["SECRET_KEY"]
ADMIN_PASSWORD = ""
DATABASE_URL = "sqlite+aiosqlite:///./app.db"
REDIS_URL = "redis://localhost:6379/0"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
