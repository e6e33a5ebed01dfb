"""The signed-in user's profile."""

import secrets

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import get_current_user
from app.core.database import get_db
from app.models import User
from app.schemas import UserResponse, UserUpdate
from app.services.notifications import send_email

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserResponse)
async def read_me(current_user: User = Depends(get_current_user)) -> User:
    return current_user


@router.patch("/me", response_model=UserResponse)
async def update_me(
    body: UserUpdate,
    db: AsyncSession = Depends(get_db),
    current_user: User = Depends(get_current_user),
) -> User:
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(current_user, field, value)
    await db.commit()
    print(f"👤 Updated profile of user {current_user.id}: {sorted(body.model_fields_set)}")
    return current_user


@router.post("/me/verification/email/send", status_code=status.HTTP_202_ACCEPTED)
async def send_verification_email(current_user: User = Depends(get_current_user)) -> dict[str, str]:
    if current_user.email is None:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Add an e-mail address first")
    code = secrets.token_hex(3)
    try:
        await send_email(current_user.email, "Verify your e-mail", f"Your verification code is {code}")
    except Exception as exc:
        print(f"Failed to send verification e-mail to user {current_user.id}: {exc}")
    return {"detail": "Verification e-mail requested"}
