from pydantic import BaseModel, ConfigDict
from sqlmodel import SQLModel


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class UserIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str


class TagIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: str


class UserOut(Schema):
    id: int
    email: str


class User(SQLModel, table=True):
    id: int


class Item(SQLModel, table=True):
    id: int


class Tag(SQLModel, table=True):
    id: int
