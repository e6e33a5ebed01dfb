"""Civic issue reports: create, read, list, resolve."""

import logging

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import get_current_user, get_current_user_optional
from app.core.config import settings
from app.core.database import get_db
from app.models import Report, User
from app.schemas import ReportCreate, ReportResponse
from app.services.audit import audit_log
from app.services.notifications import NotificationService, send_email

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/reports", tags=["reports"])


@router.post("", response_model=ReportResponse, status_code=status.HTTP_201_CREATED)
async def create_report(
    report_data: ReportCreate,
    db: AsyncSession = Depends(get_db),
    current_user: User | None = Depends(get_current_user_optional),
):
    report = Report(**report_data.model_dump(), user_id=current_user.id if current_user else None)
    db.add(report)
    try:
        await db.commit()
    except SQLAlchemyError as exc:
        await db.rollback()
        print(f"❌ Failed to save report: {exc}")
        raise
    await db.refresh(report)
    print(f"📍 New report {report.title!r} at ({report.latitude:.2f}, {report.longitude:.2f})")

    await audit_log(db, "report.created", f"report:{report.id}")
    await send_email(
        settings.MODERATORS_EMAIL,
        f"New report: {report_data.title}",
        report_data.description,
    )
    logger.info("Report %s queued for review", report.id)

    # Manually constructing the response
    payload = {
        "id": report.id,
        "title": report.title,
        "description": report.description,
        "category": report.category,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "status": report.status,
        "user_id": report.user_id,
        "created_at": report.created_at,
    }
    return payload


@router.get("", response_model=list[ReportResponse])
async def list_reports(
    status_filter: str | None = Query(None, alias="status"),
    db: AsyncSession = Depends(get_db),
):
    query = select(Report).order_by(Report.id)
    if status_filter is not None:
        query = query.where(Report.status == status_filter)
    reports = (await db.execute(query)).scalars().all()
    print(f"Listing {len(reports)} reports (status={status_filter})")
    return [
        {
            "id": r.id,
            "title": r.title,
            "description": r.description,
            "category": r.category,
            "latitude": r.latitude,
            "longitude": r.longitude,
            "status": r.status,
            "user_id": r.user_id,
            "created_at": r.created_at,
        }
        for r in reports
    ]


@router.get("/stats")
async def report_stats(db: AsyncSession = Depends(get_db)) -> dict[str, int]:
    rows = (await db.execute(select(Report.status, func.count()).group_by(Report.status))).all()
    counts = {status_name: count for status_name, count in rows}
    total = sum(counts.values())
    resolved = counts.get("resolved", 0)
    rate = 100 * resolved / total if total else 0.0
    print(f"📊 Stats: {resolved}/{total} reports resolved ({rate:.1f}%)")
    return {"total": total, "open": counts.get("open", 0), "resolved": resolved}


@router.get("/{report_id}", response_model=ReportResponse)
async def get_report(report_id: int, db: AsyncSession = Depends(get_db)):
    report = await db.get(Report, report_id)
    if report is None:
        print(f"Report {report_id} not found")
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Report not found")
    return {
        "id": report.id,
        "title": report.title,
        "description": report.description,
        "category": report.category,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "status": report.status,
        "user_id": report.user_id,
        "created_at": report.created_at.isoformat(),
    }


@router.post("/{report_id}/resolve", response_model=ReportResponse)
async def resolve_report(
    report_id: int,
    db: AsyncSession = Depends(get_db),
    current_user: User = Depends(get_current_user),
) -> Report:
    report = await db.get(Report, report_id)
    if report is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Report not found")
    report.status = "resolved"
    await audit_log(db, "report.resolved", f"report:{report.id} by user:{current_user.id}")
    if report.user_id is not None:
        notifier = NotificationService(db)
        await notifier.notify_user(report.user_id, f"Your report #{report.id} has been resolved")
    await db.commit()
    print(f"✅ Report {report.id} resolved by user {current_user.id}")
    return report
