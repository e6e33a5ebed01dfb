from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """The project's base model: every schema derives from it."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
