from pydantic import BaseModel, ConfigDict
from pydantic_settings import BaseSettings, SettingsConfigDict


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ItemOut]


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")


class DbSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")


class CacheSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
