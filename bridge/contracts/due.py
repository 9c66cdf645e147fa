"""What is due: payments by their due date, acceptances waiting; and the reminders ahead of them.

The GC pays within 30 days of the later of a proper invoice's receipt and the acceptance of the
work (the contract's terms say how many days). The panel lists, per department, what is due and
what is overdue; the reminders tell finance before a payment falls due and certifiers when
work has waited for their decision.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from bridge.clock import utcnow
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery, WorkState
from bridge.contracts.notices import acceptance_waiting, payment_due
from bridge.settings import Settings


@dataclass(frozen=True)
class DuePayment:
    contract: Contract
    requisition: PaymentRequisition
    overdue: bool
    days_left: int  # negative when overdue


@dataclass(frozen=True)
class WaitingAcceptance:
    contract: Contract
    work: WorkDelivery
    waiting_days: int
    due_if_accepted_today: date


def _in(departments: Collection[int] | None) -> ColumnElement[bool]:
    return true() if departments is None else Contract.department_id.in_(list(departments))


def due_payments(
    session: Session, today: date, departments: Collection[int] | None = None
) -> list[DuePayment]:
    """Unpaid requisitions, soonest due first; ``departments`` ``None`` means all."""
    rows = session.execute(
        select(Contract, PaymentRequisition)
        .join(PaymentRequisition, PaymentRequisition.contract_id == Contract.id)
        .where(PaymentRequisition.paid_on.is_(None), _in(departments))
        .order_by(PaymentRequisition.due_on, PaymentRequisition.id)
    ).all()
    return [
        DuePayment(
            contract, requisition, requisition.due_on < today, (requisition.due_on - today).days
        )
        for contract, requisition in rows
    ]


@dataclass
class DepartmentDue:
    """What one department owes: unpaid requisitions not yet due and those overdue."""

    department_id: int
    due: int = 0
    due_total: Decimal = Decimal("0.00")
    overdue: int = 0
    overdue_total: Decimal = Decimal("0.00")


def by_department(payments: Iterable[DuePayment]) -> list[DepartmentDue]:
    """The unpaid requisitions summed per department, the most overdue first."""
    found: dict[int, DepartmentDue] = {}
    for item in payments:
        entry = found.setdefault(
            item.contract.department_id, DepartmentDue(item.contract.department_id)
        )
        if item.overdue:
            entry.overdue += 1
            entry.overdue_total += item.requisition.total
        else:
            entry.due += 1
            entry.due_total += item.requisition.total
    return sorted(found.values(), key=lambda entry: (-entry.overdue_total, -entry.due_total))


def waiting_acceptances(
    session: Session, today: date, settings: Settings, departments: Collection[int] | None = None
) -> list[WaitingAcceptance]:
    """Work waiting for a section 34 decision, longest waiting first."""
    rows = session.execute(
        select(Contract, WorkDelivery)
        .join(WorkDelivery, WorkDelivery.contract_id == Contract.id)
        .where(WorkDelivery.state == WorkState.AWAITING.value, _in(departments))
        .order_by(WorkDelivery.requested_at, WorkDelivery.id)
    ).all()
    waiting = []
    for contract, work in rows:
        asked_on = work.requested_at.astimezone(settings.zone).date()
        due = max(work.invoice_received_on, today) + timedelta(
            days=int(contract.terms["payment_days"])
        )
        waiting.append(WaitingAcceptance(contract, work, (today - asked_on).days, due))
    return waiting


def send_reminders(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue the reminders that are due today; each is sent once (the outbox's keys)."""
    now = now or utcnow()
    today = now.astimezone(settings.zone).date()
    sent = 0
    if settings.payment_reminder_days:
        for item in due_payments(session, today):
            if item.days_left <= settings.payment_reminder_days:
                sent += payment_due(session, item.contract, item.requisition, now)
    if settings.acceptance_reminder_days:
        for waiting in waiting_acceptances(session, today, settings):
            if waiting.waiting_days >= settings.acceptance_reminder_days:
                since = waiting.work.requested_at.astimezone(settings.zone).date()
                sent += acceptance_waiting(
                    session,
                    waiting.contract,
                    waiting.work,
                    since,
                    waiting.due_if_accepted_today,
                    now,
                )
    return sent
