DATABASE_URL = "postgresql://app:hunter2@db.internal/app"
