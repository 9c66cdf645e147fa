"""How long each stage of an opportunity took, from the moments the bridge holds.

An opportunity passes these points, each read from where the bridge keeps it: drafted (created
on the marketplace), submitted (its first UNDER_REVIEW status in the marketplace's history),
approved (the last approval of its approved request), published, its proposal deadline,
awarded, contract issued, accepted (the last milestone accepted under section 34) and paid (the
last milestone's payment confirmed). A stage is the time between two points both passed; an
opportunity that has not reached a point is not counted in the stages after it, and waits in
the "stuck" list where it is.

Stage durations are given in calendar days and in working days (Monday to Friday in the
bridge's time zone; statutory holidays are not counted out), as the GC counts service standards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.approvals.models import ApprovalDecision, ApprovalRequest, RequestStatus
from bridge.approvals.reminders import working_days_between
from bridge.contracts.models import (
    Contract,
    Milestone,
    PaymentRequisition,
    WorkDelivery,
    WorkState,
)
from bridge.rules.models import RuleEvaluation
from bridge.sync.models import Award, HistoryEntry, Opportunity

# The points in the order an opportunity passes them.
POINTS = (
    "drafted",
    "submitted",
    "approved",
    "published",
    "deadline",
    "awarded",
    "contracted",
    "accepted",
    "paid",
)
# Stage → (from point, to point). The consecutive ones, then the wholes.
STAGES: dict[str, tuple[str, str]] = {
    "drafting": ("drafted", "submitted"),
    "review": ("submitted", "approved"),
    "publication": ("approved", "published"),
    "open": ("published", "deadline"),
    "evaluation": ("deadline", "awarded"),
    "contracting": ("awarded", "contracted"),
    "delivery": ("contracted", "accepted"),
    "payment": ("accepted", "paid"),
    "need_to_award": ("drafted", "awarded"),
    "need_to_work_done": ("drafted", "accepted"),
    "whole": ("drafted", "paid"),
}
APPROVED = (RequestStatus.APPROVED.value, RequestStatus.PUBLISHED.value)


@dataclass
class Journey:
    """One opportunity's points, and the approval steps of its approved request."""

    opportunity_id: str
    kind: str
    department_id: int | None
    status: str  # the marketplace's
    points: dict[str, datetime] = field(default_factory=dict)
    # (position, opened or previous decision, decided): each step's wait.
    steps: list[tuple[int, datetime, datetime]] = field(default_factory=list)

    def last_point(self) -> str:
        return max(self.points, key=POINTS.index)


def _at_noon(day: date, zone: ZoneInfo) -> datetime:
    """A calendar date (a payment day) as a moment, for durations in days."""
    return datetime.combine(day, time(12), tzinfo=zone)


def departments_of(
    session: Session, opportunity_ids: Collection[str] | None = None
) -> dict[str, int | None]:
    """Opportunity id → the department its current rule evaluation routed it to (of those
    ``opportunity_ids``, or every judged one)."""
    query = select(RuleEvaluation.opportunity_id, RuleEvaluation.department_id).where(
        RuleEvaluation.current.is_(True)
    )
    if opportunity_ids is not None:
        if not opportunity_ids:
            return {}
        query = query.where(RuleEvaluation.opportunity_id.in_(list(opportunity_ids)))
    return dict(iter(session.execute(query)))


def journeys(
    session: Session, zone: ZoneInfo, opportunity_ids: Iterable[str] | None = None
) -> list[Journey]:
    """Every opportunity's journey (or those of ``opportunity_ids``), in a fixed number of
    queries whatever their number: the Outcomes page reads ten thousand at once."""
    query = select(
        Opportunity.id,
        Opportunity.kind,
        Opportunity.marketplace_created_at,
        Opportunity.published_at,
        Opportunity.status,
    ).where(Opportunity.removed_at.is_(None))
    if opportunity_ids is not None:
        query = query.where(Opportunity.id.in_(list(opportunity_ids)))
    departments = departments_of(session)
    found: dict[str, Journey] = {}
    for opportunity_id, kind, created, published, status in session.execute(query):
        journey = Journey(opportunity_id, kind, departments.get(opportunity_id), status)
        journey.points["drafted"] = created
        if published is not None:
            journey.points["published"] = published
        found[opportunity_id] = journey
    _deadlines(session, found)
    _submitted(session, found)
    _approvals(session, found)
    _awards_and_contracts(session, found, zone)
    return list(found.values())


def _deadlines(session: Session, found: dict[str, Journey]) -> None:
    """The deadline counts once it has passed on the marketplace (the opportunity went on to
    evaluation, an award or a cancellation), not while proposals may still come."""
    rows = session.execute(
        select(Opportunity.id, Opportunity.proposal_deadline).where(
            Opportunity.status.not_in(("DRAFT", "UNDER_REVIEW", "PUBLISHED"))
        )
    )
    for opportunity_id, deadline in rows:
        journey = found.get(opportunity_id)
        if journey is not None and "published" in journey.points:
            journey.points["deadline"] = deadline


def _submitted(session: Session, found: dict[str, Journey]) -> None:
    rows = session.execute(
        select(HistoryEntry.opportunity_id, func.min(HistoryEntry.created_at))
        .where(HistoryEntry.type_tag == "status", HistoryEntry.type_value == "UNDER_REVIEW")
        .group_by(HistoryEntry.opportunity_id)
    )
    for opportunity_id, submitted in rows:
        if opportunity_id in found:
            found[opportunity_id].points["submitted"] = submitted


def _approvals(session: Session, found: dict[str, Journey]) -> None:
    """The approved request of each opportunity (the latest, when one was superseded after
    approval): its steps' waits, and its last decision as the moment it was approved."""
    latest = (
        select(ApprovalRequest.opportunity_id, func.max(ApprovalRequest.id).label("request_id"))
        .where(ApprovalRequest.status.in_(APPROVED))
        .group_by(ApprovalRequest.opportunity_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ApprovalRequest.opportunity_id, ApprovalRequest.opened_at, ApprovalDecision.decided_at
        )
        .join(latest, latest.c.request_id == ApprovalRequest.id)
        .join(ApprovalDecision, ApprovalDecision.request_id == ApprovalRequest.id)
        .order_by(ApprovalRequest.id, ApprovalDecision.decided_at, ApprovalDecision.id)
    )
    for opportunity_id, opened, decided in rows:
        journey = found.get(opportunity_id)
        if journey is None:
            continue
        since = journey.steps[-1][2] if journey.steps else opened
        journey.steps.append((len(journey.steps) + 1, since, decided))
        journey.points["approved"] = decided


def _awards_and_contracts(session: Session, found: dict[str, Journey], zone: ZoneInfo) -> None:
    for opportunity_id, awarded in session.execute(select(Award.opportunity_id, Award.awarded_at)):
        if opportunity_id in found:
            found[opportunity_id].points["awarded"] = awarded
    contracts = dict(iter(session.execute(select(Contract.id, Contract.opportunity_id))))
    for contract_id, issued in session.execute(select(Contract.id, Contract.issued_at)):
        journey = found.get(contracts[contract_id])
        if journey is not None:
            journey.points["contracted"] = issued
    milestones: dict[int, int] = defaultdict(int)
    for contract_id, count in session.execute(
        select(Milestone.contract_id, func.count()).group_by(Milestone.contract_id)
    ):
        milestones[contract_id] = count
    accepted = session.execute(
        select(
            WorkDelivery.contract_id,
            func.count(func.distinct(WorkDelivery.milestone_id)),
            func.max(WorkDelivery.decided_at),
        )
        .where(WorkDelivery.state == WorkState.ACCEPTED.value)
        .group_by(WorkDelivery.contract_id)
    )
    for contract_id, done, last in accepted:
        journey = found.get(contracts[contract_id])
        if journey is not None and last is not None and done == milestones[contract_id]:
            journey.points["accepted"] = last
    paid = session.execute(
        select(
            PaymentRequisition.contract_id,
            func.count(),
            func.count(PaymentRequisition.paid_on),
            func.max(PaymentRequisition.paid_on),
        ).group_by(PaymentRequisition.contract_id)
    )
    for contract_id, made, confirmed, last_paid in paid:
        journey = found.get(contracts[contract_id])
        if (
            journey is not None
            and last_paid is not None
            and "accepted" in journey.points
            and made == confirmed == milestones[contract_id]
        ):
            journey.points["paid"] = _at_noon(last_paid, zone)


@dataclass(frozen=True)
class Duration:
    days: float
    working_days: int


def duration(start: datetime, end: datetime, zone: ZoneInfo) -> Duration | None:
    """From ``start`` to ``end``; ``None`` when the marketplace's points run backwards (an
    opportunity published before it was submitted for review, as an administrator may)."""
    if end < start:
        return None
    days = (end - start).total_seconds() / 86_400
    return Duration(
        days, working_days_between(start.astimezone(zone).date(), end.astimezone(zone).date())
    )


def stage_durations(journey: Journey, zone: ZoneInfo) -> dict[str, Duration]:
    """Stage (and approval step, ``approval_step_<n>``) → how long it took."""
    durations: dict[str, Duration] = {}
    for stage, (start, end) in STAGES.items():
        if start in journey.points and end in journey.points:
            took = duration(journey.points[start], journey.points[end], zone)
            if took is not None:
                durations[stage] = took
    for position, since, decided in journey.steps:
        took = duration(since, decided, zone)
        if took is not None:
            durations[f"approval_step_{position}"] = took
    return durations
