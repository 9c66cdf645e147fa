"""The early warnings that nobody else sends, through the notification outbox.

An approval step waiting past its target, work waiting for acceptance and payments coming due
already have their reminders (``bridge.approvals.reminders``, ``bridge.contracts.due``), sent
from the same settings; sending them again here would tell people twice. What is left:

- an opportunity closing soon with no proposal: its author on the marketplace and the author of
  its approval request, and the procurement staff of its department, while there is still time to
  share it or extend its deadline;
- an award with no contract after its working days: the department's procurement staff, who
  issue contracts.

Each warning is sent once (the outbox's keys name the opportunity and the moment the wait
began), so the hourly job can run as often as it likes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.roles import Role
from bridge.accounts.service import people_with
from bridge.approvals.models import ApprovalRequest
from bridge.clock import utcnow
from bridge.departments.models import Department
from bridge.notifications.messages import N_, Bilingual, Param
from bridge.notifications.outbox import enqueue
from bridge.outcomes.warnings import EarlyWarning, warnings
from bridge.settings import Settings
from bridge.sync.models import MarketplaceUser, Opportunity
from bridge.translations.titles import titles_by_language

SENT_HERE = ("closing_without_proposal", "award_without_contract")


def _authors(session: Session, opportunity_id: str) -> list[str]:
    """Who wrote the opportunity: its marketplace account and its approval requests' authors."""
    creator = session.scalar(
        select(MarketplaceUser.email)
        .join(Opportunity, Opportunity.created_by_id == MarketplaceUser.id)
        .where(Opportunity.id == opportunity_id)
    )
    requested = session.scalars(
        select(ApprovalRequest.author_email).where(
            ApprovalRequest.opportunity_id == opportunity_id,
            ApprovalRequest.author_email.is_not(None),
        )
    )
    return [address for address in (creator, *requested) if address]


def _procurement(session: Session, department_id: int | None) -> list[str]:
    """The department's procurement staff; all of them while its department is unknown."""
    return [user.email for user in people_with(session, Role.PROCUREMENT, department_id)]


def _department(session: Session, department_id: int | None) -> Bilingual:
    department = session.get(Department, department_id) if department_id else None
    if department is None:
        return Bilingual.message(N_("a department not known yet"))
    return Bilingual(department.name_en, department.name_fr)


def _send(
    session: Session,
    warning: EarlyWarning,
    params: dict[str, Param],
    zone: ZoneInfo,
    now: datetime,
) -> int:
    recipients = _procurement(session, warning.department_id)
    if warning.kind == "closing_without_proposal":
        deadline = session.scalar(
            select(Opportunity.proposal_deadline).where(Opportunity.id == warning.opportunity_id)
        )
        assert deadline is not None
        recipients += _authors(session, warning.opportunity_id)
        params["deadline"] = Bilingual.day(deadline.astimezone(zone).date())  # Ottawa's day
    return enqueue(
        session,
        warning.kind,
        recipients,
        params,
        key=f"{warning.opportunity_id}:{warning.since.isoformat()}",
        path=f"/opportunities/{warning.opportunity_id}",
        now=now,
    )


def send_warnings(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue the warnings standing at ``now`` that no reminder sends; returns how many
    messages were queued (none for a warning already sent)."""
    now = now or utcnow()
    standing = [
        warning for warning in warnings(session, settings, None, now) if warning.kind in SENT_HERE
    ]
    titles = titles_by_language(session, [warning.opportunity_id for warning in standing])
    queued = 0
    for warning in standing:
        title = titles[warning.opportunity_id]
        params: dict[str, Param] = {
            "title": Bilingual(title["en"], title["fr"]),
            "department": _department(session, warning.department_id),
            "since": Bilingual.day(warning.since),
            "days": str(warning.days),
        }
        queued += _send(session, warning, params, settings.zone, now)
    return queued
