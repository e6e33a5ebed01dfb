import os

ENVIRONMENT = os.environ.get("APP_ENV", "development")
print(f"Loaded settings for env={ENVIRONMENT}")
if ENVIRONMENT == "development":
    print("WARNING: running with development defaults")
