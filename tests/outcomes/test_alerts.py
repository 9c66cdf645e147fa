"""The early warnings that go out through the notifier, on a stopped clock: who hears of an
opportunity closing without a proposal and of an award without a contract, in both languages,
once; and what the settings turn off."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.roles import Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalRequest
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.notifications.models import Notification
from bridge.outcomes.alerts import send_warnings
from bridge.settings import Settings, load_settings
from bridge.sync.models import MarketplaceUser, Opportunity
from tests.outcomes.world import NOW, at, build_world

SETTINGS = load_settings({})


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> dict[str, str]:
    ids = build_world(sessions)
    with transaction(sessions) as session:
        tbs = session.scalars(select(Department.id).where(Department.acronym == "TBS")).one()
        esdc = session.scalars(select(Department.id).where(Department.acronym == "ESDC")).one()
        create_user(session, "buyer@tbs-sct.gc.ca", "Buyer", None, [(Role.PROCUREMENT, tbs)])
        create_user(session, "other@hrsdc.gc.ca", "Other", None, [(Role.PROCUREMENT, esdc)])
        session.add(
            MarketplaceUser(
                id="author-c",
                type="GOV",
                status="ACTIVE",
                name="C",
                email="c@tbs-sct.gc.ca",
                fingerprint="u",
            )
        )
        session.get_one(Opportunity, ids["c"]).created_by_id = "author-c"
        session.add(
            ApprovalRequest(
                opportunity_id=ids["c"],
                version=1,
                department_id=tbs,
                status="published",
                opened_at=NOW - timedelta(days=40),
                author_email="writer@tbs-sct.gc.ca",
            )
        )
    return ids


def _sent(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(row.kind, row.recipient, row.fields["path"]) for row in rows]


def _closing_message(sessions: sessionmaker[Session]) -> dict[str, str]:
    """The fields of the first message about an opportunity closing without a proposal."""
    with sessions() as session:
        closing = session.scalars(
            select(Notification).where(Notification.kind == "closing_without_proposal")
        ).first()
        assert closing is not None
        return dict(closing.fields)


def _warn(sessions: sessionmaker[Session], settings: Settings = SETTINGS) -> int:
    with transaction(sessions) as session:
        return send_warnings(session, settings, NOW)


def test_closing_without_proposal_reaches_its_authors_and_procurement_once(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    assert _warn(sessions) == 5
    sent = _sent(sessions)
    closing = {recipient for kind, recipient, _ in sent if kind == "closing_without_proposal"}
    assert closing == {"c@tbs-sct.gc.ca", "writer@tbs-sct.gc.ca", "buyer@tbs-sct.gc.ca"}
    # B (TBS) and E (ESDC) were awarded without a contract: each department's own staff.
    contract = {
        (recipient, path) for kind, recipient, path in sent if kind == "award_without_contract"
    }
    assert contract == {
        ("buyer@tbs-sct.gc.ca", f"/opportunities/{world['b']}"),
        ("other@hrsdc.gc.ca", f"/opportunities/{world['e']}"),
    }
    # The hourly job runs again: nothing new.
    assert _warn(sessions) == 0


def test_the_messages_say_what_waits_in_both_languages(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    _warn(sessions)
    with sessions() as session:
        message = session.scalars(
            select(Notification).where(
                Notification.kind == "award_without_contract",
                Notification.recipient == "buyer@tbs-sct.gc.ca",
            )
        ).one()
        fields = message.fields
    assert "No contract yet:" in fields["subject_en"]
    assert "awarded on November 2, 2026, 14 working days ago" in fields["body_en"]
    assert "Aucun contrat" in fields["subject_fr"]
    assert "2 novembre 2026" in fields["body_fr"]
    closing = _closing_message(sessions)
    assert "closes on November 21, 2026" in closing["body_en"]
    assert "21 novembre 2026" in closing["body_fr"]


def test_settings_at_zero_send_no_warning(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    quiet = load_settings(
        {"BRIDGE_CLOSING_WARNING_HOURS": "0", "BRIDGE_CONTRACT_WARNING_WORKING_DAYS": "0"}
    )
    assert _warn(sessions, quiet) == 0


def test_a_closing_warning_waits_for_its_hours(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    """C closes at noon on 21 November: 21 hours after NOW; a 12-hour setting waits."""
    early = load_settings({"BRIDGE_CLOSING_WARNING_HOURS": "12"})
    _warn(sessions, early)
    assert not [row for row in _sent(sessions) if row[0] == "closing_without_proposal"]
    later = time_machine.travel(NOW + timedelta(hours=10), tick=False)
    with later, transaction(sessions) as session:
        send_warnings(session, early)
    assert [row for row in _sent(sessions) if row[0] == "closing_without_proposal"]


def test_the_notify_job_queues_the_warnings(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    from bridge.jobs.notifications import NotificationJobs
    from bridge.notifications.delivery import OutgoingMessage

    class Keep:
        name = "keep"

        def send(self, message: OutgoingMessage) -> str | None:
            return None

    with time_machine.travel(NOW, tick=False):
        queued = NotificationJobs(sessions, SETTINGS, Keep()).remind()
    assert queued == 5


def test_the_deadline_is_told_as_the_day_in_ottawa(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    """03:00 UTC on 22 November is still the evening of 21 November in Ottawa."""
    with transaction(sessions) as session:
        session.get_one(Opportunity, world["c"]).proposal_deadline = at("2026-11-22", 3)
    _warn(sessions)
    assert "closes on November 21, 2026" in _closing_message(sessions)["body_en"]
