"""Application settings, read from the environment (and a local .env file)."""

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", case_sensitive=True, extra="ignore")

    # Application
    APP_NAME: str = "CivicLens API"
    APP_VERSION: str = "1.0.0"
    DEBUG: bool = False
    ENVIRONMENT: Literal["local", "development", "staging", "production"] = "production"

    # Database
    DATABASE_URL: str = "sqlite+aiosqlite:///./civiclens.db"
    DATABASE_ECHO: bool = False

    # Auth
    OTP_TTL_SECONDS: int = 300
    OTP_FAILURE_DELAY_SECONDS: float = 1.0

    # Notifications: the gateways are slow, which is why the audit moves them off the request path
    SMS_DELAY_SECONDS: float = 0.2
    EMAIL_DELAY_SECONDS: float = 0.2
    MODERATORS_EMAIL: str = "moderators@civiclens.example"


@lru_cache()
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
