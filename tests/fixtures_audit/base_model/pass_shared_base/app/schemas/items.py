from pydantic import ConfigDict

from app.schemas import Schema


class ItemOut(Schema):
    id: int


class UserOut(Schema):
    # Repeating the base's setting is redundant, not a repetition the base should absorb.
    model_config = ConfigDict(from_attributes=True)

    id: int


class OrderOut(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int


class TagOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    name: str
