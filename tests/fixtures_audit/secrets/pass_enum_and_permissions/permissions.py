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

# A rename map of configuration keys: the values are key names too.
RENAMED_KEYS = {
    "oauth.oidc.client_secret": "oauth.client_secret",
    "rag.openai_api_key": "rag.openai.api_key",
}
