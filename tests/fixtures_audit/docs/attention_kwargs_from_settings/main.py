from fastapi import FastAPI


class Settings:
    fastapi_kwargs = {"title": "x"}


settings = Settings()
app = FastAPI(**settings.fastapi_kwargs)
