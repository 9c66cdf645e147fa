"""Payment requisitions: made on acceptance, delivered once to every sink, confirmed paid.

A requisition goes into the export outbox in the transaction that accepts the work, one
delivery per configured sink under an idempotency key of its own, so the outbox's guarantees
hold for it as for award records: nothing lost, nothing delivered twice. Finance confirms the
payment (section 33) in the panel, or the financial system's confirmation file is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser
from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.contracts.amounts import Amounts, shares
from bridge.contracts.duties import DutyRefused, check_payment_confirmer
from bridge.contracts.issuing import ContractRefused, milestones_of
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery
from bridge.contracts.notices import supplier_paid
from bridge.departments.models import Department
from bridge.exports.models import Delivery, DeliveryKind
from bridge.exports.outbox import current_record
from bridge.notifications.messages import N_
from bridge.settings import Settings
from bridge.spreadsheet import as_text_cell

IMPORT_COLUMNS = ("requisition", "paid_on", "payment_reference")


def requisition_key(sink: str, number: str) -> str:
    return f"{sink}:requisition:{number}"


def due_on(work: WorkDelivery, certified_on: date, payment_days: int) -> date:
    """Payment is due ``payment_days`` after the later of the invoice's receipt and the
    acceptance of the work."""
    return max(work.invoice_received_on, certified_on) + timedelta(days=payment_days)


def _amounts(session: Session, contract: Contract, milestone_id: int) -> Amounts:
    milestones = milestones_of(session, contract)
    whole = Amounts(contract.value, contract.taxes, contract.total)
    parts = shares(whole, [milestone.value for milestone in milestones])
    return next(
        amounts
        for milestone, amounts in zip(milestones, parts, strict=True)
        if milestone.id == milestone_id
    )


def create_requisition(
    session: Session,
    contract: Contract,
    work: WorkDelivery,
    certifier: PanelUser,
    settings: Settings,
    now: datetime,
) -> PaymentRequisition:
    """The requisition of accepted work, and its delivery to every sink."""
    certified_on = now.astimezone(settings.zone).date()
    sequence = 1 + int(
        session.scalar(
            select(func.count())
            .select_from(PaymentRequisition)
            .where(PaymentRequisition.contract_id == contract.id)
        )
        or 0
    )
    number = f"{contract.number}-R{sequence}"
    amounts = _amounts(session, contract, work.milestone_id)
    department = session.get(Department, contract.department_id)
    assert department is not None
    milestone = next(m for m in milestones_of(session, contract) if m.id == work.milestone_id)
    due = due_on(work, certified_on, int(contract.terms["payment_days"]))
    document: dict[str, Any] = {
        "requisition": number,
        "contract": contract.number,
        "opportunity_id": contract.opportunity_id,
        "department": department.acronym,
        "fiscal_year": contract.fiscal_year,
        "supplier": {
            "name": contract.supplier_name,
            "business_number": contract.supplier_business_number,
            "email": contract.supplier_email,
        },
        "invoice": {
            "number": work.invoice_number,
            "date": work.invoice_date.isoformat(),
            "received_on": work.invoice_received_on.isoformat(),
        },
        "milestone": {
            "position": milestone.position,
            "name_en": milestone.name_en,
            "name_fr": milestone.name_fr,
        },
        "currency": "CAD",
        "amount": str(amounts.value),
        "gst_hst": str(amounts.taxes),
        "total": str(amounts.total),
        "certified_by": {"name": certifier.display_name, "email": certifier.email},
        "certified_on": certified_on.isoformat(),
        "due_on": due.isoformat(),
        "coding": current_record(session, contract.opportunity_id, settings).coding,
        "work": {"url": work.url, "note": work.note, "attachments": list(work.attachments)},
    }
    requisition = PaymentRequisition(
        work_delivery_id=work.id,
        contract_id=contract.id,
        number=number,
        amount=amounts.value,
        taxes=amounts.taxes,
        total=amounts.total,
        certified_on=certified_on,
        due_on=due,
        document=document,
        created_at=now,
    )
    session.add(requisition)
    for sink in settings.export_sinks:
        session.add(
            Delivery(
                kind=DeliveryKind.PAYMENT_REQUISITION.value,
                opportunity_id=contract.opportunity_id,
                revision=sequence,
                sink=sink,
                idempotency_key=requisition_key(sink, number),
                payload={"kind": DeliveryKind.PAYMENT_REQUISITION.value, "requisition": document},
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    record(
        session,
        Actor.user(certifier.id, certifier.display_name),
        "contract.requisition_made",
        "payment_requisition",
        number,
        now=now,
        after={
            "total": document["total"],
            "due_on": document["due_on"],
            "sinks": list(settings.export_sinks),
        },
    )
    return requisition


def by_number(session: Session, number: str) -> PaymentRequisition:
    requisition = session.scalar(
        select(PaymentRequisition).where(PaymentRequisition.number == number)
    )
    if requisition is None:
        raise LookupError(number)
    return requisition


def _mark_paid(
    session: Session,
    requisition: PaymentRequisition,
    actor: Actor,
    paid_on: date,
    reference: str,
    today: date,
    now: datetime,
    user_id: int | None = None,
) -> None:
    if requisition.paid_on is not None:
        raise ContractRefused(N_("This requisition is paid already."))
    if not requisition.certified_on <= paid_on <= today:
        raise ContractRefused(
            N_("The payment date must be between the acceptance of the work and today.")
        )
    requisition.paid_on, requisition.payment_reference = paid_on, reference.strip() or None
    requisition.confirmed_by, requisition.confirmed_by_id = actor.key, user_id
    requisition.confirmed_at = now
    contract = session.get(Contract, requisition.contract_id)
    assert contract is not None
    supplier_paid(session, contract, requisition, now)
    record(
        session,
        actor,
        "contract.payment_confirmed",
        "payment_requisition",
        requisition.number,
        now=now,
        after={
            "paid_on": paid_on.isoformat(),
            "reference": requisition.payment_reference,
            "late": paid_on > requisition.due_on,
        },
    )


def _may_confirm(session: Session, user: PanelUser, requisition: PaymentRequisition) -> None:
    """Raises ``DutyRefused`` unless ``user`` may confirm the payment of ``requisition``."""
    work = session.get(WorkDelivery, requisition.work_delivery_id)
    contract = session.get(Contract, requisition.contract_id)
    assert work is not None and contract is not None
    check_payment_confirmer(user, requisition, work, contract)


def confirm_payment(
    session: Session,
    user: PanelUser,
    requisition: PaymentRequisition,
    paid_on: date,
    reference: str,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Finance's confirmation (section 33) that the requisition was paid on ``paid_on``."""
    now = now or utcnow()
    _may_confirm(session, user, requisition)
    _mark_paid(
        session,
        requisition,
        Actor.user(user.id, user.display_name),
        paid_on,
        reference,
        now.astimezone(settings.zone).date(),
        now,
        user.id,
    )


@dataclass
class ImportReport:
    confirmed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_confirmations(
    session: Session,
    text: str,
    source: str,
    settings: Settings,
    now: datetime | None = None,
    user: PanelUser | None = None,
) -> ImportReport:
    """The financial system's confirmation file: a CSV with the columns ``requisition``,
    ``paid_on`` (YYYY-MM-DD) and ``payment_reference`` (``total`` too, checked when present).
    Each row stands alone: a row in error is reported and the others are kept; a row already
    confirmed with the same date is counted and left alone, so a file imported twice changes
    nothing. Imported by ``user`` (finance, in the panel), each row is a confirmation of theirs
    and the separation of duties holds for it; without one, the file is the financial system's
    word (an operator's import from the command line)."""
    now = now or utcnow()
    today = now.astimezone(settings.zone).date()
    actor = (
        Actor.user(user.id, user.display_name)
        if user is not None
        else Actor.job(f"payments-import:{source}"[:60])
    )
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in IMPORT_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"missing columns: {', '.join(missing)}")
        return report
    for line, row in enumerate(reader, start=2):
        number = (row.get("requisition") or "").strip()
        try:
            requisition = by_number(session, number)
            paid_on = date.fromisoformat((row.get("paid_on") or "").strip())
            if row.get("total") and Decimal(row["total"].strip()) != requisition.total:
                raise ValueError(f"total {row['total'].strip()} is not {requisition.total}")
        except LookupError:
            report.errors.append(f"line {line}: no requisition {number!r}")
            continue
        except (ValueError, InvalidOperation) as problem:
            report.errors.append(f"line {line}: {problem}")
            continue
        if requisition.paid_on == paid_on:
            report.already.append(number)
            continue
        try:
            if user is not None:
                _may_confirm(session, user, requisition)
            _mark_paid(
                session,
                requisition,
                actor,
                paid_on,
                row.get("payment_reference") or "",
                today,
                now,
                user.id if user is not None else None,
            )
        except (ContractRefused, DutyRefused) as refused:
            report.errors.append(f"line {line}: {number}: {refused}")
            continue
        report.confirmed.append(number)
    return report


# The columns of a requisition CSV, as a financial system imports them (one row a requisition).
CSV_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("requisition", ("requisition",)),
    ("contract", ("contract",)),
    ("department", ("department",)),
    ("fiscal_year", ("fiscal_year",)),
    ("supplier_name", ("supplier", "name")),
    ("supplier_business_number", ("supplier", "business_number")),
    ("invoice_number", ("invoice", "number")),
    ("invoice_date", ("invoice", "date")),
    ("invoice_received_on", ("invoice", "received_on")),
    ("milestone", ("milestone", "position")),
    ("currency", ("currency",)),
    ("amount", ("amount",)),
    ("gst_hst", ("gst_hst",)),
    ("total", ("total",)),
    ("certified_by", ("certified_by", "name")),
    ("certified_on", ("certified_on",)),
    ("due_on", ("due_on",)),
    ("economic_object_code", ("coding", "economic_object_code")),
    ("commodity_code", ("coding", "commodity_code")),
)


def csv_text(documents: list[dict[str, Any]]) -> str:
    """Requisitions as CSV; no cell runs as a formula in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _path in CSV_COLUMNS])
    for document in documents:
        row = []
        for _name, path in CSV_COLUMNS:
            value: Any = document
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            row.append(as_text_cell("" if value is None else str(value)))
        writer.writerow(row)
    return out.getvalue()
