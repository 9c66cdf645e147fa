"""What the contract steps tell people, through the notification outbox (in the transaction of
the step itself, so a message is never lost nor sent for a step that did not happen)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import people_with
from bridge.contracts.document import text_by_language
from bridge.contracts.models import (
    Contract,
    ContractDocument,
    Milestone,
    PaymentRequisition,
    WorkDelivery,
    WorkState,
)
from bridge.departments.models import Department
from bridge.notifications.messages import Bilingual, Param
from bridge.notifications.outbox import enqueue
from bridge.translations.titles import titles_by_language


def contract_path(contract: Contract) -> str:
    return f"/contracts/{contract.number}"


def _about(session: Session, contract: Contract) -> dict[str, Param]:
    titles = titles_by_language(session, [contract.opportunity_id]).get(contract.opportunity_id)
    department = session.get(Department, contract.department_id)
    assert titles is not None and department is not None
    return {
        "number": contract.number,
        "title": Bilingual(titles["en"], titles["fr"]),
        "department": Bilingual(department.name_en, department.name_fr),
    }


def _certifiers(session: Session, contract: Contract, work: WorkDelivery) -> list[str]:
    """Who may certify ``work``: the department's certifiers but its requester and the
    supplier's own contact."""
    supplier = (contract.supplier_email or "").lower()
    return [
        user.email
        for user in people_with(session, Role.CERTIFIER, contract.department_id)
        if user.id != work.requested_by_id and user.email.lower() != supplier
    ]


def _milestone(milestone: Milestone) -> Bilingual:
    return Bilingual(milestone.name_en, milestone.name_fr)


def contract_sent(
    session: Session, contract: Contract, document: ContractDocument, now: datetime
) -> int:
    """The document to the supplier's contact, its text in both languages in the message."""
    texts = text_by_language(document.html)
    params = _about(session, contract) | {
        "total": Bilingual.money(document.total),
        "text": Bilingual(texts.get("en", ""), texts.get("fr", "")),
        "sha256": document.sha256,
    }
    return enqueue(
        session,
        "contract_issued",
        [contract.supplier_email or ""],
        params,
        key=f"{contract.number}:{document.amendment}",
        now=now,
    )


def acceptance_requested(
    session: Session, contract: Contract, work: WorkDelivery, milestone: Milestone, now: datetime
) -> None:
    requester = session.get(PanelUser, work.requested_by_id)
    assert requester is not None
    params = _about(session, contract) | {
        "requester": requester.display_name,
        "milestone": _milestone(milestone),
        "url": work.url,
        "invoice": work.invoice_number,
        "received": Bilingual.day(work.invoice_received_on),
    }
    enqueue(
        session,
        "acceptance_requested",
        _certifiers(session, contract, work),
        params,
        key=f"{contract.number}:delivery:{work.id}",
        path=contract_path(contract),
        now=now,
    )


def work_decided(session: Session, contract: Contract, work: WorkDelivery, now: datetime) -> None:
    requester = session.get(PanelUser, work.requested_by_id)
    milestone = session.get(Milestone, work.milestone_id)
    assert requester is not None and milestone is not None
    params = _about(session, contract) | {"milestone": _milestone(milestone)}
    if work.state == WorkState.REFUSED.value:
        kind, params = "work_refused", params | {"reason": work.reason or ""}
    else:
        requisition = session.scalars(
            select(PaymentRequisition).where(PaymentRequisition.work_delivery_id == work.id)
        ).one()
        kind = "work_accepted"
        params |= {
            "requisition": requisition.number,
            "total": Bilingual.money(requisition.total),
            "due": Bilingual.day(requisition.due_on),
        }
    enqueue(
        session,
        kind,
        [requester.email],
        params,
        key=f"{contract.number}:decision:{work.id}",
        path=contract_path(contract),
        now=now,
    )
    if kind == "work_accepted":
        enqueue(
            session,
            "supplier_work_accepted",
            [contract.supplier_email or ""],
            params | {"invoice": work.invoice_number},
            key=f"{contract.number}:decision:{work.id}",
            now=now,
        )


def supplier_paid(
    session: Session, contract: Contract, requisition: PaymentRequisition, now: datetime
) -> None:
    """The supplier hears that their invoice was paid (they cannot see the bridge)."""
    work = session.get(WorkDelivery, requisition.work_delivery_id)
    assert work is not None and requisition.paid_on is not None
    params = _about(session, contract) | {
        "invoice": work.invoice_number,
        "total": Bilingual.money(requisition.total),
        "paid": Bilingual.day(requisition.paid_on),
    }
    enqueue(
        session,
        "supplier_paid",
        [contract.supplier_email or ""],
        params,
        key=requisition.number,
        now=now,
    )


def payment_due(
    session: Session, contract: Contract, requisition: PaymentRequisition, now: datetime
) -> int:
    """Finance of the department, ahead of the due date (once per requisition); not who
    certified or requested the work, who may not confirm its payment."""
    work = session.get(WorkDelivery, requisition.work_delivery_id)
    assert work is not None
    finance = [
        user.email
        for user in people_with(session, Role.FINANCE, contract.department_id)
        if user.id not in (work.requested_by_id, work.decided_by_id)
    ]
    params = _about(session, contract) | {
        "requisition": requisition.number,
        "total": Bilingual.money(requisition.total),
        "due": Bilingual.day(requisition.due_on),
    }
    return enqueue(
        session,
        "payment_due",
        finance,
        params,
        key=f"{requisition.number}",
        path=contract_path(contract),
        now=now,
    )


def acceptance_waiting(
    session: Session,
    contract: Contract,
    work: WorkDelivery,
    since: date,
    due: date,
    now: datetime,
) -> int:
    """The department's certifiers, once, when a decision has waited long enough that the
    payment's due date comes near."""
    milestone = session.get(Milestone, work.milestone_id)
    assert milestone is not None
    params = _about(session, contract) | {
        "milestone": _milestone(milestone),
        "since": Bilingual.day(since),
        "due": Bilingual.day(due),
    }
    return enqueue(
        session,
        "acceptance_waiting",
        _certifiers(session, contract, work),
        params,
        key=f"{contract.number}:delivery:{work.id}",
        path=contract_path(contract),
        now=now,
    )
