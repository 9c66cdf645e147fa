"""A world whose outcome figures are known by hand (each test says its answers): four
opportunities at TBS and one at ESDC, on their way from draft to payment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStep
from bridge.approvals.service import seed_chains
from bridge.contracts.models import PaymentRequisition, WorkDelivery
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.rules.models import RuleEvaluation
from bridge.sync.models import HistoryEntry, Opportunity, Organization, Proposal
from tests.factories import create_award, create_contract, create_opportunity, new_id
from tests.seeding import seed


def at(day: str, hour: int = 15) -> datetime:
    """A moment of the world: 15:00 UTC, 10:00 or 11:00 in Ottawa."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


NOW = at("2026-11-20")


def _department(session: Session, acronym: str) -> int:
    return session.scalars(select(Department.id).where(Department.acronym == acronym)).one()


def _routed(session: Session, opportunity: Opportunity, department_id: int) -> None:
    session.add(
        RuleEvaluation(
            opportunity_id=opportunity.id,
            version=1,
            department_id=department_id,
            trigger="test",
            findings_hash="x",
        )
    )


def _submitted(session: Session, opportunity: Opportunity, day: str) -> None:
    session.add(
        HistoryEntry(
            id=new_id(),
            opportunity_id=opportunity.id,
            created_at=at(day),
            type_tag="status",
            type_value="UNDER_REVIEW",
        )
    )


def _approved(
    session: Session, opportunity: Opportunity, department_id: int, opened: str, *days: str
) -> None:
    request = ApprovalRequest(
        opportunity_id=opportunity.id,
        version=1,
        department_id=department_id,
        status="published",
        opened_at=at(opened),
    )
    session.add(request)
    session.flush()
    steps = session.scalars(
        select(ApprovalStep).where(ApprovalStep.department_id == department_id)
    ).all()
    approver = create_user(session, f"a{request.id}@tbs-sct.gc.ca", "A", None, [])
    for step, day in zip(steps, days, strict=False):
        session.add(
            ApprovalDecision(
                request_id=request.id,
                step_id=step.id,
                user_id=approver.id,
                user_name="A",
                decision="approve",
                decided_at=at(day),
            )
        )


def _bids(session: Session, opportunity: Opportunity, number: int) -> None:
    for _ in range(number):
        session.add(
            Proposal(
                id=new_id(),
                kind=opportunity.kind,
                opportunity_id=opportunity.id,
                status="SUBMITTED",
                submitted_at=at("2026-10-15"),
                marketplace_created_at=at("2026-10-15"),
                marketplace_updated_at=at("2026-10-15"),
                proponent_type="organization",
                payload={},
                fingerprint="p",
            )
        )


def build_world(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Four opportunities at TBS and one at ESDC (see each comment); ids by name."""
    seed(sessions)
    with transaction(sessions) as session:
        seed_chains(session)
        tbs, esdc = _department(session, "TBS"), _department(session, "ESDC")
        ottawa = Organization(
            id="org-ottawa",
            legal_name="Ottawa Code Inc.",
            mail_code="K1P 5G4",
            payload={},
            fingerprint="o",
        )
        halifax = Organization(
            id="org-halifax",
            legal_name="Halifax Dev",
            mail_code="B3H 1A1",
            payload={},
            fingerprint="o",
        )
        session.add_all([ottawa, halifax])
        # A: the whole way, paid. Drafting 1 day (Thu→Fri), review 2 steps (Mon, Tue).
        a = create_opportunity(
            session,
            status="AWARDED",
            marketplace_created_at=at("2026-10-01"),
            published_at=at("2026-10-07"),
            proposal_deadline=at("2026-10-21"),
            amount=Decimal("9040.00"),
        )
        _submitted(session, a, "2026-10-02")
        _approved(session, a, tbs, "2026-10-02", "2026-10-05", "2026-10-06")
        create_award(
            session,
            a,
            proponent_id="org-halifax",
            awarded_at=at("2026-10-23"),
            amount=Decimal("9040.00"),
        )
        _bids(session, a, 3)
        requester = create_user(session, "owner@tbs-sct.gc.ca", "Owner", None, [])
        contract = create_contract(session, a.id, tbs, requester.id, issued_at=at("2026-10-26"))
        for work in session.scalars(select(WorkDelivery)):
            work.state, work.decided_at = "accepted", at("2026-11-09")
        session.flush()
        first_requisition = session.scalars(select(PaymentRequisition)).one()
        first_requisition.paid_on = date(2026, 11, 16)
        second_work = session.scalars(
            select(WorkDelivery).where(WorkDelivery.id != first_requisition.work_delivery_id)
        ).one()
        session.add(
            PaymentRequisition(
                work_delivery_id=second_work.id,
                contract_id=contract.id,
                number=f"{contract.number}-R2",
                amount=Decimal("3000.00"),
                taxes=Decimal("390.00"),
                total=Decimal("3390.00"),
                certified_on=date(2026, 11, 9),
                due_on=date(2026, 12, 9),
                document={},
                paid_on=date(2026, 11, 13),
            )
        )
        # B: drafting 4 days; awarded 2 November, no contract since (stuck, and warned).
        b = create_opportunity(
            session,
            status="AWARDED",
            marketplace_created_at=at("2026-10-05"),
            published_at=at("2026-10-14"),
            proposal_deadline=at("2026-10-28"),
        )
        _submitted(session, b, "2026-10-09")
        _approved(session, b, tbs, "2026-10-09", "2026-10-13")
        create_award(
            session,
            b,
            proponent_id="org-ottawa",
            awarded_at=at("2026-11-02"),
            amount=Decimal("5000.00"),
        )
        # C: open for proposals, none yet, closing tomorrow: not stuck, but warned.
        c = create_opportunity(
            session,
            status="PUBLISHED",
            marketplace_created_at=at("2026-10-10"),
            published_at=at("2026-10-20"),
            proposal_deadline=at("2026-11-21", 12),
            num_proposals=0,
        )
        # D: canceled after its deadline with no proposal: closed without one, not stuck.
        d = create_opportunity(
            session,
            status="CANCELED",
            marketplace_created_at=at("2026-09-01"),
            published_at=at("2026-09-10"),
            proposal_deadline=at("2026-10-30"),
        )
        # E: ESDC's, awarded to Ottawa Code again (not a first-time supplier in November).
        e = create_opportunity(
            session,
            status="AWARDED",
            marketplace_created_at=at("2026-09-01"),
            published_at=at("2026-09-02"),
            proposal_deadline=at("2026-09-20"),
        )
        create_award(
            session,
            e,
            proponent_id="org-ottawa",
            awarded_at=at("2026-09-25"),
            amount=Decimal("2000.00"),
        )
        for opportunity, department in ((a, tbs), (b, tbs), (c, tbs), (d, tbs), (e, esdc)):
            _routed(session, opportunity, department)
        return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "e": e.id}
