import pydantic as pd


class Tag(pd.BaseModel):
    name: str

    class Config:
        orm_mode = True


class Note(pd.BaseModel, extra="forbid"):
    text: str

    class Config:
        orm_mode = True


class Label(pd.BaseModel, extra="forbid"):
    model_config = pd.ConfigDict(from_attributes=True)

    text: str
