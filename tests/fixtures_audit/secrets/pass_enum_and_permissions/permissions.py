from enum import Enum, StrEnum


class Permission(StrEnum):
    RESET_USER_PASSWORD = "reset_user_password"
    ROTATE_API_KEY = "rotate-api-key"


class GrantType(str, Enum):
    PASSWORD = "password"
    REFRESH_TOKEN = "refresh_token"


RESET_USER_PASSWORD = "reset_user_password"
CAN_RESET_PASSWORD = "users:reset_password"
PASSWORD_RESET_TOKEN = "password_reset_token"
