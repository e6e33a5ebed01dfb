from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    stripe_api_key: str = "sk_live_123"
    github_token: str = Field(default="ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    token_type: str = "bearer"
