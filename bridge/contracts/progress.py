"""Where a contract stands: milestones accepted and paid, and its timeline from issue to payment
(what the opportunity's page and ``gc-bridge contracts show`` list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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
    """One step of the timeline: ``kind`` names it; the rest says what it concerns, in words no
    language owns (numbers, addresses, names, amounts) so each reader's page can phrase it."""

    day: date
    kind: str  # issued, amended, sent, signed, delivered, accepted, refused, requisition, paid
    subject: str = ""  # a fingerprint, an address, a requisition's number
    who: str = ""
    milestone: int | None = None
    amount: Decimal | None = None
    due: date | None = None
    note: str = ""  # a refusal's reason, as its certifier wrote it


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
            subject=document.sha256[:12],
            amount=document.total,
        )
        for document in documents_of(session, contract)
    ]
    if contract.sent_at is not None:
        events.append(Event(day(contract.sent_at), "sent", subject=contract.supplier_email or ""))
    if contract.signed_on is not None:
        events.append(Event(contract.signed_on, "signed", subject=contract.supplier_name))
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
                subject=work.url,
                who=names.get(work.requested_by_id, ""),
                milestone=milestone,
            )
        )
        if work.decided_at is not None and work.decided_by_id is not None:
            events.append(
                Event(
                    day(work.decided_at),
                    work.state,
                    who=names.get(work.decided_by_id, ""),
                    milestone=milestone,
                    note=work.reason or "",
                )
            )
    for requisition in session.scalars(
        select(PaymentRequisition)
        .where(PaymentRequisition.contract_id == contract.id)
        .order_by(PaymentRequisition.id)
    ):
        events.append(
            Event(
                requisition.certified_on,
                "requisition",
                subject=requisition.number,
                amount=requisition.total,
                due=requisition.due_on,
            )
        )
        if requisition.paid_on is not None:
            events.append(Event(requisition.paid_on, "paid", subject=requisition.number))
    return sorted(events, key=lambda event: event.day)
