from pydantic import BaseModel, ConfigDict


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=True)

    id: int
    name: str


class OrderOut(BaseModel):
    model_config = {"from_attributes": True}

    id: int


class ItemIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str
