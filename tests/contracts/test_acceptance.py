"""Delivered work and its acceptance: who may take each step (the separation of duties as a
matrix), partial acceptance milestone by milestone, refusals with a reason, and the messages
each step sends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.contracts.acceptance import Invoice, decide
from bridge.contracts.duties import DutyRefused
from bridge.contracts.issuing import ContractRefused, MilestonePlan
from bridge.contracts.models import PaymentRequisition, WorkState
from bridge.contracts.requisitions import confirm_payment
from bridge.db.engine import transaction
from bridge.notifications.models import Notification
from tests.contracts.conftest import People, contract_settings
from tests.contracts.helpers import INVOICE, audited, delivered, issued, work

TWO_MILESTONES = [
    MilestonePlan("Form", "Formulaire", Decimal("5000.00")),
    MilestonePlan("Tests", "Essais", Decimal("3000.00")),
]


def messages(sessions: sessionmaker[Session], kind: str) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Notification.recipient)
                .where(Notification.kind == kind)
                .order_by(Notification.recipient)
            )
        )


# Who certifies the work the owner delivered: allowed, or why not.
CERTIFIERS = {
    "certifier": None,
    "second_certifier": None,
    "owner": "section 34 authority",
    "procurement": "section 34 authority",
    "finance": "section 34 authority",
    "admin": "section 34 authority",
    "certifier_elsewhere": "section 34 authority",
    "supplier_contact": "supplier's own contact",
}


@pytest.mark.parametrize(("certifier", "refusal"), CERTIFIERS.items())
def test_who_may_certify_work(
    sessions: sessionmaker[Session],
    people: People,
    tmp_path: Path,
    certifier: str,
    refusal: str | None,
) -> None:
    work_id = delivered(sessions, people, issued(sessions, people))
    settings = contract_settings(tmp_path)
    with transaction(sessions) as session:
        user = people.get(session, certifier)
        if refusal is None:
            decide(session, user, work(session, work_id), settings, accept=True)
        else:
            with pytest.raises(DutyRefused, match=refusal):
                decide(session, user, work(session, work_id), settings, accept=True)


def test_one_person_holding_every_role_still_cannot_certify_or_pay_their_own_request(
    sessions: sessionmaker[Session], people: People, tmp_path: Path
) -> None:
    """The requester cannot certify; the certifier cannot confirm the payment; the requester
    cannot confirm it either: the roles are not enough, the people must differ."""
    settings = contract_settings(tmp_path)
    work_id = delivered(sessions, people, issued(sessions, people), by="everything")
    with transaction(sessions) as session, pytest.raises(DutyRefused, match="asked for"):
        decide(
            session,
            people.get(session, "everything"),
            work(session, work_id),
            settings,
            accept=True,
        )
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, work_id), settings, accept=True
        )
    # Now "everything" requested it and "certifier" certified it: neither confirms the payment.
    with transaction(sessions) as session:
        requisition = session.scalars(select(PaymentRequisition)).one()
        for name, reason in (("everything", "asked for"), ("certifier", "finance staff")):
            with pytest.raises(DutyRefused, match=reason):
                confirm_payment(
                    session,
                    people.get(session, name),
                    requisition,
                    date(2026, 11, 26),
                    "P1",
                    settings,
                )
        confirm_payment(
            session, people.get(session, "finance"), requisition, date(2026, 11, 26), "P1", settings
        )
    [entry] = audited(sessions, "contract.payment_confirmed")
    assert entry["actor"] == f"user:{people.finance}" and entry["late"] is False


def test_a_certifier_who_also_confirms_payments_cannot_confirm_what_they_certified(
    sessions: sessionmaker[Session], people: People, tmp_path: Path
) -> None:
    settings = contract_settings(tmp_path)
    work_id = delivered(sessions, people, issued(sessions, people))
    with transaction(sessions) as session:
        decide(
            session,
            people.get(session, "everything"),
            work(session, work_id),
            settings,
            accept=True,
        )
    with transaction(sessions) as session, pytest.raises(DutyRefused, match="certified"):
        requisition = session.scalars(select(PaymentRequisition)).one()
        confirm_payment(
            session,
            people.get(session, "everything"),
            requisition,
            date(2026, 11, 26),
            "",
            settings,
        )


@pytest.mark.parametrize("recorder", ["procurement", "certifier", "finance", "admin"])
def test_only_a_business_owner_records_delivered_work(
    sessions: sessionmaker[Session], people: People, recorder: str
) -> None:
    number = issued(sessions, people)
    with pytest.raises(DutyRefused, match="business owner"):
        delivered(sessions, people, number, by=recorder)


def test_work_is_accepted_milestone_by_milestone_and_a_refusal_says_why(
    sessions: sessionmaker[Session], people: People, tmp_path: Path
) -> None:
    settings = contract_settings(tmp_path)
    number = issued(sessions, people, TWO_MILESTONES)
    first = delivered(sessions, people, number, milestone=1)
    with pytest.raises(ContractRefused, match="waits"):
        delivered(sessions, people, number, milestone=1)
    with pytest.raises(ContractRefused, match="no such milestone"):
        delivered(sessions, people, number, milestone=3)
    # The department's certifiers, but for the supplier's own contact.
    assert messages(sessions, "acceptance_requested") == [
        "carl@tbs-sct.gc.ca",
        "cecile@tbs-sct.gc.ca",
        "max@tbs-sct.gc.ca",
    ]
    with transaction(sessions) as session:
        certifier = people.get(session, "certifier")
        with pytest.raises(ContractRefused, match="why"):
            decide(session, certifier, work(session, first), settings, accept=False, reason=" ")
        decide(
            session, certifier, work(session, first), settings, accept=False, reason="Tests fail"
        )
    assert messages(sessions, "work_refused") == ["omar@tbs-sct.gc.ca"]
    again = delivered(sessions, people, number, milestone=1)  # refused work comes again
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, again), settings, accept=True
        )
        with pytest.raises(ContractRefused, match="decided"):
            decide(
                session,
                people.get(session, "second_certifier"),
                work(session, again),
                settings,
                accept=True,
            )
    with pytest.raises(ContractRefused, match="accepted already"):
        delivered(sessions, people, number, milestone=1)
    second = delivered(sessions, people, number, milestone=2)
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, second), settings, accept=True
        )
        rows = session.scalars(select(PaymentRequisition).order_by(PaymentRequisition.id)).all()
        states = [work(session, item).state for item in (first, again, second)]
    assert states == [WorkState.REFUSED, WorkState.ACCEPTED, WorkState.ACCEPTED]
    assert [(row.number, row.amount, row.taxes, row.total) for row in rows] == [
        (f"{number}-R1", Decimal("5000.00"), Decimal("650.00"), Decimal("5650.00")),
        (f"{number}-R2", Decimal("3000.00"), Decimal("390.00"), Decimal("3390.00")),
    ]
    assert messages(sessions, "work_accepted") == ["omar@tbs-sct.gc.ca"] * 2  # one a milestone
    decisions = [entry["delivery"] for entry in audited(sessions, "contract.work_accepted")]
    assert decisions == [again, second]


def test_delivered_work_needs_a_web_address_and_a_plausible_invoice(
    sessions: sessionmaker[Session], people: People
) -> None:
    number = issued(sessions, people)
    for invoice in (
        Invoice("", date(2026, 11, 20), date(2026, 11, 21)),
        Invoice("INV-1", date(2026, 11, 22), date(2026, 11, 21)),  # received before dated
        Invoice("INV-1", date(2026, 11, 20), date(2026, 11, 27)),  # received tomorrow
    ):
        with pytest.raises(ContractRefused):
            delivered(sessions, people, number, invoice=invoice)
    assert delivered(sessions, people, number, invoice=INVOICE)
