from app.security import verify_password


def authenticate(username: str, password: str) -> bool:
    stored = "$2b$12$..."
    return verify_password(password, stored)
