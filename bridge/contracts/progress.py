"""Where a contract stands: milestones accepted and paid, and its timeline from issue to payment
(what the opportunity's page and ``gc-bridge contracts show`` list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser
from bridge.contracts.issuing import documents_of, milestones_of
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery, WorkState


@dataclass(frozen=True)
class Progress:
    milestones: int
    accepted: int
    paid: int


def progress_of(session: Session, contract: Contract) -> Progress:
    accepted = session.scalar(
        select(func.count(func.distinct(WorkDelivery.milestone_id))).where(
            WorkDelivery.contract_id == contract.id,
            WorkDelivery.state == WorkState.ACCEPTED.value,
        )
    )
    paid = session.scalar(
        select(func.count())
        .select_from(PaymentRequisition)
        .where(
            PaymentRequisition.contract_id == contract.id, PaymentRequisition.paid_on.is_not(None)
        )
    )
    return Progress(len(milestones_of(session, contract)), int(accepted or 0), int(paid or 0))


@dataclass(frozen=True)
class Event:
    """One step of the timeline: ``kind`` names it, ``detail`` says what it concerns."""

    day: date
    kind: str  # issued, amended, sent, signed, delivered, accepted, refused, requisition, paid
    detail: str


def timeline(session: Session, contract: Contract, zone: ZoneInfo) -> list[Event]:
    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    names: dict[int, str] = dict(
        iter(session.execute(select(PanelUser.id, PanelUser.display_name)))
    )
    events = [
        Event(
            day(document.created_at),
            "issued" if document.amendment == 0 else "amended",
            f"{document.total} $ sha256 {document.sha256[:12]}",
        )
        for document in documents_of(session, contract)
    ]
    if contract.sent_at is not None:
        events.append(Event(day(contract.sent_at), "sent", contract.supplier_email or ""))
    if contract.signed_on is not None:
        events.append(Event(contract.signed_on, "signed", contract.supplier_name))
    positions = {milestone.id: milestone.position for milestone in milestones_of(session, contract)}
    for work in session.scalars(
        select(WorkDelivery)
        .where(WorkDelivery.contract_id == contract.id)
        .order_by(WorkDelivery.id)
    ):
        milestone = positions[work.milestone_id]
        events.append(
            Event(
                day(work.requested_at),
                "delivered",
                f"milestone {milestone}: {work.url} by {names.get(work.requested_by_id, '?')}",
            )
        )
        if work.decided_at is not None and work.decided_by_id is not None:
            decider = names.get(work.decided_by_id, "?")
            detail = f"milestone {milestone} by {decider}"
            if work.state == WorkState.REFUSED.value:
                detail += f": {work.reason}"
            events.append(Event(day(work.decided_at), work.state, detail))
    for requisition in session.scalars(
        select(PaymentRequisition)
        .where(PaymentRequisition.contract_id == contract.id)
        .order_by(PaymentRequisition.id)
    ):
        events.append(
            Event(
                requisition.certified_on,
                "requisition",
                f"{requisition.number} {requisition.total} $ due {requisition.due_on}",
            )
        )
        if requisition.paid_on is not None:
            events.append(Event(requisition.paid_on, "paid", requisition.number))
    return sorted(events, key=lambda event: event.day)
