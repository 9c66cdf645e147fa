"""Steps the contract tests share: issue the award's contract, deliver its work."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.models import AuditEntry
from bridge.contracts.acceptance import Invoice, record_delivery
from bridge.contracts.issuing import MilestonePlan, issue
from bridge.contracts.models import Contract, WorkDelivery
from bridge.db.engine import transaction
from tests.contracts.conftest import People
from tests.exports.samples import OTTAWA
from tests.fakes.world import AWARDED

INVOICE = Invoice("INV-0042", date(2026, 11, 20), date(2026, 11, 23))
PULL_REQUEST = "https://github.com/example/forms/pull/12"


def issued(
    sessions: sessionmaker[Session], people: People, plans: list[MilestonePlan] | None = None
) -> str:
    """Procurement issues the award's contract; its number."""
    with transaction(sessions) as session:
        return issue(
            session, people.get(session, "procurement"), AWARDED, OTTAWA, milestones=plans
        ).number


def delivered(
    sessions: sessionmaker[Session],
    people: People,
    number: str,
    *,
    milestone: int = 1,
    by: str = "owner",
    invoice: Invoice = INVOICE,
) -> int:
    """The business owner records the work of ``milestone`` and asks for acceptance."""
    with transaction(sessions) as session:
        contract = session.scalars(select(Contract).where(Contract.number == number)).one()
        work = record_delivery(
            session,
            people.get(session, by),
            contract,
            milestone=milestone,
            url=PULL_REQUEST,
            invoice=invoice,
            zone=OTTAWA,
            note="Merged after review.",
            attachments=["screenshot.png"],
        )
        return work.id


def work(session: Session, work_id: int) -> WorkDelivery:
    found = session.get(WorkDelivery, work_id)
    assert found is not None
    return found


def audited(sessions: sessionmaker[Session], action: str) -> list[dict[str, Any]]:
    with sessions() as session:
        return [
            {"target": entry.target_id, "actor": entry.actor, **(entry.after or {})}
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        ]
