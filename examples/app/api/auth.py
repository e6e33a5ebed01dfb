"""Phone login with one-time codes sent by SMS."""

import secrets
import time

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import settings
from app.core.database import get_db
from app.models import User
from app.schemas import OTPRequest, OTPVerify, Token
from app.services.audit import audit_log
from app.services.notifications import send_sms

router = APIRouter(prefix="/auth", tags=["auth"])

# phone -> (code, expiry on the monotonic clock); one process only, like a dev Redis
_pending_otps: dict[str, tuple[str, float]] = {}


@router.post("/request-otp")
async def request_otp(body: OTPRequest) -> dict[str, str]:
    otp = f"{secrets.randbelow(1_000_000):06d}"
    _pending_otps[body.phone] = (otp, time.monotonic() + settings.OTP_TTL_SECONDS)
    print(f"🔐 OTP requested for {body.phone}")
    await send_sms(body.phone, f"Your code is {otp}")
    return {"detail": "OTP sent"}


@router.post("/verify-otp", response_model=Token)
async def verify_otp(
    body: OTPVerify,
    background_tasks: BackgroundTasks,
    db: AsyncSession = Depends(get_db),
):
    pending = _pending_otps.get(body.phone)
    if pending is None or pending[1] < time.monotonic() or not secrets.compare_digest(pending[0], body.code):
        print(f"⚠️ Invalid OTP attempt for {body.phone}")
        # Slow down code guessing; blocks every other request while it waits.
        time.sleep(settings.OTP_FAILURE_DELAY_SECONDS)
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid or expired code")
    del _pending_otps[body.phone]

    user = (await db.execute(select(User).where(User.phone == body.phone))).scalar_one_or_none()
    if user is None:
        user = User(phone=body.phone)
        db.add(user)
        background_tasks.add_task(send_sms, body.phone, "Welcome to CivicLens! Your reports follow this number.")
    user.api_token = secrets.token_urlsafe(32)
    await db.flush()
    await audit_log(db, "auth.login", f"user:{user.id}")
    await db.commit()
    print(f"✅ User {user.id} logged in")
    return {"access_token": user.api_token, "token_type": "bearer", "user_id": user.id}
