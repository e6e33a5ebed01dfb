from pydantic import BaseModel, ConfigDict


class FakeA(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FakeB(BaseModel):
    model_config = ConfigDict(extra="forbid")


def test_fakes() -> None:
    assert FakeA() and FakeB()
