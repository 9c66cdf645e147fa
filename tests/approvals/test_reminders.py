"""Reminders for steps waiting too long, counted in working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.models import ApprovalRequest
from bridge.approvals.reminders import send_reminders, working_days_between
from bridge.db.engine import transaction
from tests.approvals.conftest import People, attempt
from tests.approvals.helpers import messages_to

OTTAWA = ZoneInfo("America/Toronto")
FRIDAY_AFTERNOON = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 15:00 in Ottawa


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Friday → Monday
        (date(2026, 11, 27), date(2026, 12, 1), 2),
        (date(2026, 11, 28), date(2026, 11, 29), 0),  # a weekend
        (date(2026, 11, 23), date(2026, 11, 23), 0),
    ],
)
def test_working_days(start: date, end: date, days: int) -> None:
    assert working_days_between(start, end) == days


def test_working_days_agree_with_counting_each_day() -> None:
    """Every span of up to 40 days from each weekday, against a plain day-by-day count."""
    for first in range(7):
        start = date(2026, 11, 23) + timedelta(days=first)
        for length in range(-2, 41):
            end = start + timedelta(days=length)
            counted = sum(
                1
                for offset in range(1, max(length, 0) + 1)
                if (start + timedelta(days=offset)).weekday() < 5
            )
            assert working_days_between(start, end) == counted, (start, end)


def test_a_step_waiting_two_working_days_is_reminded_once_a_period(
    world: People, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        request = session.scalars(select(ApprovalRequest)).one()
        request.waiting_since = FRIDAY_AFTERNOON
    monday = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    tuesday = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert send_reminders(sessions, 2, OTTAWA, now=monday) == 0
    # first, second and third; never the author, though an approver of the department too
    assert send_reminders(sessions, 2, OTTAWA, now=tuesday) == 3
    assert send_reminders(sessions, 2, OTTAWA, now=tuesday) == 0  # reminded already
    assert messages_to(sessions, "first@tbs-sct.gc.ca") == ["step_awaiting", "reminder"]
    assert "reminder" not in messages_to(sessions, "author@tbs-sct.gc.ca")
    assert send_reminders(sessions, 0, OTTAWA, now=tuesday) == 0  # reminders off


def test_a_decision_restarts_the_wait(world: People, sessions: sessionmaker[Session]) -> None:
    assert attempt(sessions, world.first) == "ok"
    with sessions() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        assert request.waiting_since is not None
        since = request.waiting_since
    assert send_reminders(sessions, 1, OTTAWA, now=since) == 0
