"""Reminders for steps that have waited too long for a decision.

Waiting is counted in working days (Monday to Friday in the bridge's time zone): a step opened
on Friday afternoon has not waited two days on Monday morning. Statutory holidays are not
counted out; a reminder may come a day early around one.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals import notices
from bridge.approvals.models import ApprovalRequest, RequestStatus
from bridge.approvals.service import progress
from bridge.clock import utcnow
from bridge.db.engine import transaction

SATURDAY = 5


# Working days among the ``extra`` days after a day of weekday ``first``: _PART_WEEK[first][extra].
_PART_WEEK = tuple(
    tuple(
        sum(1 for offset in range(1, extra + 1) if (first + offset) % 7 < SATURDAY)
        for extra in range(7)
    )
    for first in range(7)
)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; counted by whole weeks, as the
    Outcomes page counts them for every stage of ten thousand opportunities."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    return weeks * 5 + _PART_WEEK[start.weekday()][extra]


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
