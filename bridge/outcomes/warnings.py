"""Early warnings: what is stalling now, before it shows in the figures.

- an opportunity that closes within ``BRIDGE_CLOSING_WARNING_HOURS`` with no proposal yet
  (the marketplace's own count, which it reports while proposals stay hidden);
- an approval step waiting longer than its target (the reminders' working days);
- an award with no contract after ``BRIDGE_CONTRACT_WARNING_WORKING_DAYS`` working days;
- delivered work waiting for acceptance, and payments coming due or overdue (the contract
  reminders' own settings).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.approvals.models import ApprovalRequest, RequestStatus
from bridge.approvals.reminders import working_days_between
from bridge.contracts.due import due_payments, waiting_acceptances
from bridge.contracts.models import Contract
from bridge.outcomes.stages import departments_of
from bridge.settings import Settings
from bridge.sync.models import Award, Opportunity


@dataclass(frozen=True)
class EarlyWarning:
    kind: str  # closing_without_proposal, approval_waiting, award_without_contract, ...
    opportunity_id: str
    department_id: int | None
    since: date
    days: int  # days it has waited (working days where the target is in working days)

    def as_dict(self, acronyms: dict[int, str]) -> dict[str, object]:
        return {
            "kind": self.kind,
            "opportunity_id": self.opportunity_id,
            "department": acronyms.get(self.department_id) if self.department_id else None,
            "since": self.since.isoformat(),
            "days": self.days,
        }


def warnings(
    session: Session,
    settings: Settings,
    department_of: Mapping[str, int | None] | None,
    now: datetime,
    departments: Collection[int] | None = None,
) -> list[EarlyWarning]:
    """Every warning standing at ``now`` for the opportunities ``department_of`` names (with
    the department each is routed to; ``None``: every judged opportunity, their departments
    read for the warned ones only), oldest first; ``departments`` limits the contract
    warnings, which are read by department."""
    zone, today = settings.zone, now.astimezone(settings.zone).date()
    standing: list[tuple[str, str, date, int]] = []

    def add(kind: str, opportunity_id: str, since: date, days: int) -> None:
        standing.append((kind, opportunity_id, since, days))

    if settings.closing_warning_hours:
        soon = now + timedelta(hours=settings.closing_warning_hours)
        closing = session.execute(
            select(Opportunity.id, Opportunity.published_at).where(
                Opportunity.status == "PUBLISHED",
                Opportunity.removed_at.is_(None),
                Opportunity.num_proposals == 0,
                Opportunity.proposal_deadline > now,
                Opportunity.proposal_deadline <= soon,
            )
        )
        for opportunity_id, published in closing:
            since = (published or now).astimezone(zone).date()
            add("closing_without_proposal", opportunity_id, since, (today - since).days)
    target = settings.approvals_reminder_working_days
    if target:
        waiting = session.execute(
            select(ApprovalRequest.opportunity_id, ApprovalRequest.waiting_since).where(
                ApprovalRequest.status == RequestStatus.OPEN.value,
                ApprovalRequest.waiting_since.is_not(None),
            )
        )
        for opportunity_id, since_moment in waiting:
            if since_moment is None:
                continue
            since = since_moment.astimezone(zone).date()
            days = working_days_between(since, today)
            if days > target:
                add("approval_waiting", opportunity_id, since, days)
    limit = settings.contract_warning_working_days
    if limit:
        without = session.execute(
            select(Award.opportunity_id, Award.awarded_at)
            .outerjoin(Contract, Contract.opportunity_id == Award.opportunity_id)
            .where(Contract.id.is_(None))
        )
        for opportunity_id, awarded in without:
            since = awarded.astimezone(zone).date()
            days = working_days_between(since, today)
            if days > limit:
                add("award_without_contract", opportunity_id, since, days)
    for waiting_work in waiting_acceptances(session, today, settings, departments):
        if waiting_work.waiting_days >= settings.acceptance_reminder_days:
            asked = waiting_work.work.requested_at.astimezone(zone).date()
            add(
                "acceptance_waiting",
                waiting_work.contract.opportunity_id,
                asked,
                waiting_work.waiting_days,
            )
    for payment in due_payments(session, today, departments):
        if payment.overdue or payment.days_left <= settings.payment_reminder_days:
            kind = "payment_overdue" if payment.overdue else "payment_due_soon"
            add(
                kind,
                payment.contract.opportunity_id,
                payment.requisition.due_on,
                -payment.days_left,
            )
    if department_of is None:
        department_of = departments_of(session, {item[1] for item in standing})
    found = [
        EarlyWarning(kind, opportunity_id, department_of[opportunity_id], since, days)
        for kind, opportunity_id, since, days in standing
        if opportunity_id in department_of
    ]
    return sorted(found, key=lambda item: (item.since, item.kind, item.opportunity_id))
