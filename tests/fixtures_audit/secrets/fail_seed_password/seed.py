from pydantic import BaseModel, Field

USERS = [
    {"email": "admin@example.com", "password": "Adm1n!2024", "role": "admin"},
]


class SignUp(BaseModel):
    email: str
    password: str = Field(..., json_schema_extra={"example": "str0ngPassw0rd"})

    model_config = {"json_schema_extra": {"examples": [{"email": "a@b.c", "password": "str0ngPassw0rd"}]}}


def create_admin(repository) -> None:
    repository.add({"username": "root", "password": "toor-r00t"})
