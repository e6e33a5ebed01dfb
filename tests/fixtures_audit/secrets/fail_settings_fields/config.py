from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    stripe_api_key: str = "sk_live_123"
    github_token: str = Field(default="ghp_abc")
    token_type: str = "bearer"
