"""The audit trail, written in the request's own transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent


async def audit_log(db: AsyncSession, action: str, subject: str) -> None:
    db.add(AuditEvent(action=action, subject=subject))
    await db.flush()
