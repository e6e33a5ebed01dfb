"""Request and response models."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

REPORT_CATEGORIES = ("pothole", "streetlight", "garbage", "water", "other")


class ReportBase(BaseModel):
    title: str = Field(..., min_length=5, max_length=255)
    description: str = Field(..., min_length=10, max_length=2000)
    category: str = "other"
    latitude: float = Field(..., ge=-90, le=90)
    longitude: float = Field(..., ge=-180, le=180)


class ReportCreate(ReportBase):
    @field_validator("category")
    @classmethod
    def validate_category(cls, value: str) -> str:
        if value not in REPORT_CATEGORIES:
            raise ValueError(f"Category must be one of: {', '.join(REPORT_CATEGORIES)}")
        return value


class ReportResponse(ReportBase):
    id: int
    status: str
    user_id: int | None
    created_at: datetime

    model_config = ConfigDict(from_attributes=True)


class OTPRequest(BaseModel):
    phone: str = Field(..., pattern=r"^\+?[0-9]{8,15}$")


class OTPVerify(OTPRequest):
    code: str = Field(..., pattern=r"^[0-9]{6}$")


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user_id: int


class UserResponse(BaseModel):
    id: int
    phone: str
    email: str | None
    full_name: str | None
    reputation: int

    model_config = ConfigDict(from_attributes=True)


class UserUpdate(BaseModel):
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")
    full_name: str | None = Field(None, max_length=120)
