class Settings:
    DEBUG = False
    RELOAD = False


settings = Settings()
