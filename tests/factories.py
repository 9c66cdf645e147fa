"""Rows for tests that need a few records, not the synced world (after GC Notify's
``tests/app/db.py``): each factory writes one valid row with plain defaults, the test overrides
what it is about, and the row is flushed so that its keys exist.

A test about the sync, the rules on real data or a page of the panel starts from a sync of the
captured marketplace (``tests.seeding``); a test about one table, one rule or one form starts
here, which is faster and says what the test depends on.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bridge.awards.models import AwardAmendment
from bridge.contracts.models import (
    Contract,
    ContractDocument,
    Milestone,
    PaymentRequisition,
    WorkDelivery,
)
from bridge.exports.models import Delivery, ExportedAward
from bridge.sync.models import Award, Opportunity
from tests.fakes.world import CWU

# The fixtures' capture date: defaults stay put whatever day the tests run.
MOMENT = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
_numbers = itertools.count(1)
RowT = TypeVar("RowT")


def _added(session: Session, model: type[RowT], values: dict[str, Any], **overrides: Any) -> RowT:
    """``model`` from its defaults and the test's overrides, added and flushed."""
    row = model(**(values | overrides))
    session.add(row)
    session.flush()
    return row


def new_id() -> str:
    """A fresh, valid opportunity id (a version 4 UUID), never one of the fixtures'."""
    return f"00000000-0000-4000-8000-{next(_numbers):012d}"


def create_opportunity(session: Session, **overrides: Any) -> Opportunity:
    """A published Code With Us opportunity of $5,000."""
    values: dict[str, Any] = {
        "id": new_id(),
        "kind": CWU.value,
        "status": "PUBLISHED",
        "title": "Accessible form",
        "amount": Decimal("5000.00"),
        "proposal_deadline": MOMENT,
        "marketplace_created_at": MOMENT,
        "marketplace_updated_at": MOMENT,
        "payload": {},
        "content_hash": "content",
        "fingerprint": "fingerprint",
    }
    return _added(session, Opportunity, values, **overrides)


def create_award(session: Session, opportunity: Opportunity, **overrides: Any) -> Award:
    """The award of ``opportunity`` to an organization, at the opportunity's amount."""
    values: dict[str, Any] = {
        "opportunity_id": opportunity.id,
        "kind": opportunity.kind,
        "proponent_type": "organization",
        "proponent_id": "organization-1",
        "supplier_name": "Vendor One Ltd.",
        "amount": opportunity.amount,
        "awarded_at": MOMENT,
        "fingerprint": "award",
    }
    return _added(session, Award, values, **overrides)


def create_exported_award(session: Session, opportunity_id: str, **overrides: Any) -> ExportedAward:
    """The export state of an award: no record built yet, no coding."""
    values: dict[str, Any] = {"opportunity_id": opportunity_id, "revision": 0, "coding": {}}
    return _added(session, ExportedAward, values, **overrides)


def create_amendment(session: Session, opportunity_id: str, **overrides: Any) -> AwardAmendment:
    """An amendment adding $500.00 to an award's value."""
    values: dict[str, Any] = {
        "opportunity_id": opportunity_id,
        "amount_change": Decimal("500.00"),
        "reason": "Extra page",
        "recorded_by": "test",
        "effective_on": MOMENT,
    }
    return _added(session, AwardAmendment, values, **overrides)


def create_delivery(session: Session, opportunity_id: str, **overrides: Any) -> Delivery:
    """A webhook delivery of an award's first revision that ran out of attempts."""
    values: dict[str, Any] = {
        "opportunity_id": opportunity_id,
        "revision": 1,
        "sink": "webhook",
        "state": "dead",
        "idempotency_key": f"webhook:{opportunity_id}:1",
        "payload": {},
    }
    return _added(session, Delivery, values, **overrides)


def create_contract(
    session: Session, opportunity_id: str, department_id: int, requester_id: int, **overrides: Any
) -> Contract:
    """An issued contract of $9,040 (taxes in) in two milestones: the first accepted with its
    requisition unpaid, the second delivered and waiting for acceptance by ``requester_id``'s
    request. Its document's bytes stand for a PDF; tests of documents issue one for real."""
    values: dict[str, Any] = {
        "opportunity_id": opportunity_id,
        "department_id": department_id,
        "fiscal_year": "2026-27",
        "sequence": 1,
        "number": "TBS-2026-27-0001",
        "supplier_name": "Vendor One Ltd.",
        "supplier_email": "vendor@example.com",
        "value": Decimal("8000.00"),
        "taxes": Decimal("1040.00"),
        "total": Decimal("9040.00"),
        "terms": {"payment_days": "30"},
        "issued_at": MOMENT,
        "issued_by": "test",
    }
    contract = _added(session, Contract, values, **overrides)
    amounts = {"value": contract.value, "taxes": contract.taxes, "total": contract.total}
    _added(
        session,
        ContractDocument,
        {
            "contract_id": contract.id,
            "amendment": 0,
            "html": "<html lang='en'></html>",
            "pdf": b"%PDF-1.7",
            "sha256": "0" * 64,
            "created_at": MOMENT,
            "created_by": "test",
        }
        | amounts,
    )
    first, second = (
        _added(
            session,
            Milestone,
            {
                "contract_id": contract.id,
                "position": position,
                "name_en": name_en,
                "name_fr": name_fr,
                "value": value,
            },
        )
        for position, name_en, name_fr, value in (
            (1, "Form", "Formulaire", Decimal("5000.00")),
            (2, "Tests", "Essais", Decimal("3000.00")),
        )
    )
    work = {
        "contract_id": contract.id,
        "url": "https://github.com/example/forms/pull/1",
        "invoice_number": "INV-1",
        "invoice_date": MOMENT.date(),
        "invoice_received_on": MOMENT.date(),
        "requested_by_id": requester_id,
        "requested_at": MOMENT,
    }
    accepted = _added(
        session,
        WorkDelivery,
        work
        | {
            "milestone_id": first.id,
            "state": "accepted",
            "decided_at": MOMENT,
            "decided_by_id": requester_id,
        },
    )
    _added(session, WorkDelivery, work | {"milestone_id": second.id, "state": "awaiting"})
    _added(
        session,
        PaymentRequisition,
        {
            "work_delivery_id": accepted.id,
            "contract_id": contract.id,
            "number": f"{contract.number}-R1",
            "amount": Decimal("5000.00"),
            "taxes": Decimal("650.00"),
            "total": Decimal("5650.00"),
            "certified_on": MOMENT.date(),
            "due_on": MOMENT.date(),
            "document": {},
        },
    )
    return contract
