from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """The project's base for strict input: carrying the setting is not repeating it."""

    model_config = ConfigDict(extra="forbid")


class ItemIn(StrictModel):
    name: str


class TagIn(StrictModel):
    model_config = ConfigDict(extra="forbid")

    label: str


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: int


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
