"""Reminders for steps that have waited too long for a decision.

Waiting is counted in working days (Monday to Friday in the bridge's time zone): a step opened
on Friday afternoon has not waited two days on Monday morning. Statutory holidays are not
counted out; a reminder may come a day early around one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals import notices
from bridge.approvals.models import ApprovalRequest, RequestStatus
from bridge.approvals.service import progress
from bridge.clock import utcnow
from bridge.db.engine import transaction

SATURDAY = 5


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            days += 1
    return days


def send_reminders(
    sessions: sessionmaker[Session], working_days: int, zone: ZoneInfo, now: datetime | None = None
) -> int:
    """Queue a reminder for every step waiting ``working_days`` since it opened or was last
    reminded; the number of messages queued."""
    if working_days <= 0:
        return 0
    now = now or utcnow()
    today = now.astimezone(zone).date()
    queued = 0
    with transaction(sessions) as session:
        for request in session.scalars(
            select(ApprovalRequest).where(ApprovalRequest.status == RequestStatus.OPEN.value)
        ):
            since = request.reminded_at or request.waiting_since or request.opened_at
            if working_days_between(since.astimezone(zone).date(), today) < working_days:
                continue
            step = progress(session, request).next_step
            if step is None:
                continue
            queued += notices.reminder(session, request, step, now)
            request.reminded_at = now
    return queued
