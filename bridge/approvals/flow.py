"""Approval requests follow the marketplace: opened when an opportunity enters UNDER_REVIEW,
renewed when it is edited while under review or approved but not yet published (the older
approvals then never count). The bridge's own bilingual copy is an edit too, and renews nothing.

The change events are consumed through their own cursor, in the same transaction as the
requests they open, after the rules have judged the same changes (a request needs the
department the rules found, and its last step needs the findings).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.models import ApprovalRequest, RequestStatus
from bridge.approvals.service import open_request
from bridge.clock import utcnow
from bridge.rules.models import RuleEvaluation
from bridge.rules.pipeline import CURSOR as RULES_CURSOR
from bridge.sync.events import drain as drain_events
from bridge.sync.events import next_batch, opportunities_of
from bridge.sync.models import (
    ChangeEventType,
    MarketplaceUser,
    Opportunity,
)

CURSOR = "approvals"
BATCH = 200
RENEWING = frozenset({ChangeEventType.CONTENT_EDITED.value, ChangeEventType.ADDENDUM_ADDED.value})
# The events that can open or renew a request; the flow takes the others without reading.
ACTING = RENEWING | {ChangeEventType.ENTERED_UNDER_REVIEW.value}
# Requests an edit on the marketplace makes outdated.
LIVE = (
    RequestStatus.OPEN.value,
    RequestStatus.CHANGES_REQUESTED.value,
    RequestStatus.APPROVED.value,
)


def department_of(session: Session, opportunity_id: str) -> int | None:
    """The department the rules routed the opportunity to (``None``: unrouted)."""
    return session.scalar(
        select(RuleEvaluation.department_id).where(
            RuleEvaluation.opportunity_id == opportunity_id, RuleEvaluation.current.is_(True)
        )
    )


def request_approval(
    session: Session, opportunity: Opportunity, now: datetime
) -> ApprovalRequest | None:
    """Open (or renew) the request for the opportunity's version; ``None`` while unrouted."""
    department_id = department_of(session, opportunity.id)
    if department_id is None:
        return None  # waits in the unrouted queue; assigning a department opens it
    author = (
        session.scalar(
            select(MarketplaceUser.email).where(MarketplaceUser.id == opportunity.created_by_id)
        )
        if opportunity.created_by_id
        else None
    )
    return open_request(session, opportunity, department_id, author, now)


def _needs_renewal(session: Session, opportunity: Opportunity) -> bool:
    """An edit renews a request still deciding or waiting for publication, unless the content
    is the one approved (or the bridge's own bilingual copy of it)."""
    live = session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.opportunity_id == opportunity.id,
            ApprovalRequest.status.in_(LIVE),
        )
    ).first()
    if live is None:
        return False
    return opportunity.content_hash not in {live.content_hash, live.copy_hash}


def consume_events(session: Session, now: datetime | None = None) -> int:
    """One batch of change events; the number consumed (0 when none are left)."""
    now = now or utcnow()
    events = next_batch(session, CURSOR, BATCH, following=RULES_CURSOR)
    # Only entering review and edits can open a request: a first sync's thousands of other
    # events (created, status changed) load no opportunity at all.
    acting = [event for event in events if event.type in ACTING]
    opportunities = opportunities_of(session, acting)
    for event in acting:
        opportunity = opportunities.get(event.opportunity_id)
        if opportunity is None or opportunity.removed_at is not None:
            continue
        entering = event.type == ChangeEventType.ENTERED_UNDER_REVIEW.value
        renewing = event.type in RENEWING and _needs_renewal(session, opportunity)
        if (entering or renewing) and opportunity.status == "UNDER_REVIEW":
            request_approval(session, opportunity, now)
    return len(events)


def drain(sessions: sessionmaker[Session]) -> int:
    return drain_events(sessions, consume_events)
