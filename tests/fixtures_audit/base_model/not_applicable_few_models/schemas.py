from pydantic import BaseModel, ConfigDict


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
