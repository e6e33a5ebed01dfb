"""Outgoing SMS and e-mail.

The "gateway" is an in-memory outbox, so the app runs anywhere; each send waits a
configurable delay, like a real provider's round trip.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import settings
from app.models import User


@dataclass(frozen=True)
class OutboxMessage:
    channel: str
    to: str
    subject: str
    body: str


OUTBOX: list[OutboxMessage] = []


async def send_sms(phone: str, message: str) -> None:
    await asyncio.sleep(settings.SMS_DELAY_SECONDS)
    OUTBOX.append(OutboxMessage(channel="sms", to=phone, subject="", body=message))


async def send_email(to: str, subject: str, body: str) -> None:
    await asyncio.sleep(settings.EMAIL_DELAY_SECONDS)
    print(f"📧 E-mail to {to}: {subject}")
    OUTBOX.append(OutboxMessage(channel="email", to=to, subject=subject, body=body))


class NotificationService:
    """Notifications that need the database (to look up where to send them)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def notify_user(self, user_id: int, message: str) -> bool:
        user = await self.db.get(User, user_id)
        if user is None:
            return False
        await send_sms(user.phone, message)
        return True
