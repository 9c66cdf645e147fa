"""The guard: a publication on the marketplace that no completed approval covers.

The marketplace lets a GOV user create a Code With Us opportunity directly as PUBLISHED, and an
administrator publish anything; neither waits for the department. When the sync sees an
opportunity become PUBLISHED, the guard looks for an approved request whose content is what the
marketplace holds; without one it raises an alert to administrators and the department and,
when settings say so, cancels the opportunity on the marketplace with a note that says why.

Opportunities the bridge first sees already published before its first sync are not judged:
they predate the approval process.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals import notices
from bridge.approvals.flow import CURSOR as APPROVALS_CURSOR
from bridge.approvals.flow import department_of
from bridge.approvals.models import AlertStatus, ApprovalAlert, ApprovalRequest, RequestStatus
from bridge.approvals.publisher import publication_details
from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.commands import Cancel
from bridge.marketplace.decode import Fetched
from bridge.marketplace.errors import MarketplaceError, WriteOutcomeUnknown
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.notifications.messages import N_, Bilingual
from bridge.rules.builder import POSTED_AT
from bridge.sync.events import drain as drain_events
from bridge.sync.events import next_batch, opportunities_of
from bridge.sync.models import ChangeEvent, ChangeEventType, Opportunity, SyncRun

log = logging.getLogger(__name__)

CURSOR = "approval-guard"
BATCH = 200
UNAPPROVED = "unapproved_publication"
COVERING = (RequestStatus.APPROVED.value, RequestStatus.PUBLISHED.value)
# Statuses from which the marketplace accepts ``cancel``.
CANCELABLE = frozenset({"PUBLISHED", "EVALUATION", "PROCESSING"})
# How a cancel attempt that did not cancel is stored; the panel words it (``cancel_problem``).
# Any other stored text is the marketplace's own error.
LOST_ANSWER = "lost_answer"
NOT_CANCELABLE = "not_cancelable:"
CANCEL_NOTE = (
    "Canceled: published without a completed approval by the department (Government of Canada "
    "micro-procurement). / Annulée\u00a0: publiée sans approbation complète du ministère "
    "(microapprovisionnement du gouvernement du Canada)."
)


def covered(session: Session, opportunity: Opportunity) -> bool:
    """True when an approved request covers the content the marketplace published."""
    for approved_hash, copy_hash in session.execute(
        select(ApprovalRequest.content_hash, ApprovalRequest.copy_hash).where(
            ApprovalRequest.opportunity_id == opportunity.id,
            ApprovalRequest.status.in_(COVERING),
        )
    ):
        if opportunity.content_hash in {approved_hash, copy_hash}:
            return True
    return False


def _status_became_published(event: ChangeEvent) -> bool:
    return (
        event.type == ChangeEventType.STATUS_CHANGED.value
        and event.details.get("to") == "PUBLISHED"
    )


def published_since(
    session: Session, events: list[ChangeEvent], watching_since: datetime
) -> list[Opportunity]:
    """The opportunities these events show published since the bridge began watching, in the
    events' order: a status that became PUBLISHED, or an opportunity first seen PUBLISHED and
    published (when the marketplace does not say, created) after that moment. Only those are
    loaded: a first sync's thousands of created events are of opportunities in other statuses
    or published long before, and reading them cost the run a sixth of a second."""
    changed = opportunities_of(session, [e for e in events if _status_became_published(e)])
    created = opportunities_of(
        session,
        [event for event in events if event.type == ChangeEventType.CREATED.value],
        Opportunity.status == "PUBLISHED",
        POSTED_AT >= watching_since,  # noqa: SIM300 (a SQL expression, not a constant)
    )
    found = []
    for event in events:
        if _status_became_published(event):
            opportunity = changed.get(event.opportunity_id)
        elif event.type == ChangeEventType.CREATED.value:
            opportunity = created.get(event.opportunity_id)
        else:
            continue
        if opportunity is not None:
            found.append(opportunity)
    return found


def consume_events(session: Session, *, cancel: bool, now: datetime | None = None) -> int:
    """One batch of change events; the number consumed (0 when none are left)."""
    now = now or utcnow()
    events = next_batch(session, CURSOR, BATCH, following=APPROVALS_CURSOR)
    watching_since = session.scalar(select(func.min(SyncRun.started_at)))
    if watching_since is None:
        return len(events)
    for opportunity in published_since(session, events, watching_since):
        if not covered(session, opportunity):
            raise_alert(session, opportunity, cancel=cancel, now=now)
    return len(events)


def raise_alert(
    session: Session, opportunity: Opportunity, *, cancel: bool, now: datetime
) -> ApprovalAlert | None:
    """Record the alert once per version and tell the people concerned."""
    exists = session.scalar(
        select(ApprovalAlert.id).where(
            ApprovalAlert.opportunity_id == opportunity.id,
            ApprovalAlert.kind == UNAPPROVED,
            ApprovalAlert.version == opportunity.version,
        )
    )
    if exists is not None:
        return None
    department_id = department_of(session, opportunity.id)
    alert = ApprovalAlert(
        kind=UNAPPROVED,
        opportunity_id=opportunity.id,
        version=opportunity.version,
        department_id=department_id,
        status=(AlertStatus.CANCEL_PENDING if cancel else AlertStatus.OPEN).value,
        details={
            "status": opportunity.status,
            "content_hash": opportunity.content_hash,
            **publication_details(session, opportunity),
        },
        raised_at=now,
    )
    session.add(alert)
    session.flush()
    record(
        session,
        Actor.job("approval-guard"),
        "approval.unapproved_publication",
        "opportunity",
        opportunity.id,
        now=now,
        after={"alert": alert.id, "version": opportunity.version, "cancel": cancel},
    )
    action = (
        Bilingual.message(N_("The bridge cancels it on the marketplace, as its settings ask."))
        if cancel
        else Bilingual.message(N_("It stays published; review it in the panel."))
    )
    notices.unapproved_publication(session, alert, opportunity, action, now)
    log.warning("opportunity %s published without approval (alert %s)", opportunity.id, alert.id)
    return alert


def drain(sessions: sessionmaker[Session], *, cancel: bool) -> int:
    return drain_events(sessions, partial(consume_events, cancel=cancel))


def cancel_unapproved(sessions: sessionmaker[Session], client: MarketplaceClient) -> int:
    """Cancel on the marketplace what alerts ask to; the number canceled.

    ``cancel`` is not idempotent either: each attempt reads the opportunity first, and one
    already CANCELED is only recorded.
    """
    with sessions() as session:
        pending = list(
            session.execute(
                select(ApprovalAlert.id, Opportunity.kind, Opportunity.id)
                .join(Opportunity, Opportunity.id == ApprovalAlert.opportunity_id)
                .where(ApprovalAlert.status == AlertStatus.CANCEL_PENDING.value)
                .order_by(ApprovalAlert.id)
            )
        )
    canceled = 0
    for alert_id, kind_name, opportunity_id in pending:
        kind = OpportunityKind(kind_name)
        try:
            answer = client.get_opportunity(kind, opportunity_id)
            status = getattr(answer.record, "status", None) if isinstance(answer, Fetched) else None
            status_name = status.value if status is not None else None
            if status_name == "CANCELED":
                _close(sessions, alert_id, AlertStatus.CANCELED, None)
                canceled += 1
                continue
            if status_name not in CANCELABLE:
                _close(
                    sessions, alert_id, AlertStatus.CANCEL_PENDING, f"{NOT_CANCELABLE}{status_name}"
                )
                continue
            client.send(kind, opportunity_id, Cancel(note=CANCEL_NOTE))
        except WriteOutcomeUnknown:
            _close(sessions, alert_id, AlertStatus.CANCEL_PENDING, LOST_ANSWER)
            continue
        except MarketplaceError as problem:
            _close(sessions, alert_id, AlertStatus.CANCEL_PENDING, str(problem))
            continue
        _close(sessions, alert_id, AlertStatus.CANCELED, None)
        canceled += 1
    return canceled


def _close(
    sessions: sessionmaker[Session], alert_id: int, status: AlertStatus, error: str | None
) -> None:
    with transaction(sessions) as session:
        alert = session.get(ApprovalAlert, alert_id)
        assert alert is not None
        alert.status, alert.cancel_error = status.value, error
        if status is AlertStatus.CANCELED:
            record(
                session,
                Actor.job("approval-guard"),
                "approval.canceled_unapproved",
                "opportunity",
                alert.opportunity_id,
                after={"alert": alert_id},
            )


def resolve(
    session: Session, alert: ApprovalAlert, actor: Actor, now: datetime | None = None
) -> None:
    """An administrator looked at the alert and closes it."""
    now = now or utcnow()
    before = alert.status
    alert.status, alert.resolved_at, alert.resolved_by = AlertStatus.RESOLVED.value, now, actor.name
    record(
        session,
        actor,
        "approval.alert_resolved",
        "approval_alert",
        alert.id,
        now=now,
        before={"status": before},
        after={"status": alert.status},
    )


def alerts_of(session: Session, opportunity_id: str) -> list[ApprovalAlert]:
    """The alerts raised about one opportunity, oldest first (its approval timeline shows them)."""
    return list(
        session.scalars(
            select(ApprovalAlert)
            .where(ApprovalAlert.opportunity_id == opportunity_id)
            .order_by(ApprovalAlert.id)
        )
    )
