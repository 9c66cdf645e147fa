"""Departmental approval: who may decide which step of which request, and what a decision does.

The rules here are the control the marketplace lacks, so each refusal is explicit:
- only an approver of the request's department decides, and only a step they may decide (a
  step that names people is decided by one of them);
- the author of the opportunity never approves it (separation of duties);
- one person decides at most one step of a request;
- decisions apply to the version the request was opened for; an edit opens a new request and
  the older approvals never count;
- the last approval is refused while the current findings block.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.approvals import notices
from bridge.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    Decision,
    RequestStatus,
)
from bridge.approvals.notes import comment_room
from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.departments.models import Department
from bridge.marketplace.limits import units
from bridge.rules.models import RuleEvaluation
from bridge.rules.money import contract_value
from bridge.rules.settings import load_rule_settings
from bridge.settings import PROJECT_ROOT
from bridge.sync.models import Opportunity
from bridge.translations.service import public_copy

SEED_FILE = PROJECT_ROOT / "config" / "approvals.toml"


class DecisionRefused(Exception):
    """A decision the rules forbid; ``code`` names the rule (the panel words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def seed_chains(session: Session, path: Path = SEED_FILE) -> int:
    """Give every department without a chain the shipped one; never touch an existing chain."""
    with path.open("rb") as handle:
        steps = tomllib.load(handle)["step"]
    chained = set(session.scalars(select(ApprovalStep.department_id).distinct()))
    seeded = 0
    for department in session.scalars(select(Department)):
        if department.id in chained:
            continue
        for position, step in enumerate(steps, start=1):
            minimum = step.get("min_amount")
            session.add(
                ApprovalStep(
                    department_id=department.id,
                    position=position,
                    key=step["key"],
                    name_en=step["name_en"],
                    name_fr=step["name_fr"],
                    min_amount=Decimal(minimum) if minimum is not None else None,
                )
            )
        seeded += 1
    session.flush()
    return seeded


def chain_for(session: Session, request: ApprovalRequest) -> list[ApprovalStep]:
    """The department's steps that apply to this opportunity's value, in order."""
    opportunity = session.get(Opportunity, request.opportunity_id)
    assert opportunity is not None
    value = contract_value(opportunity.amount, load_rule_settings(session))
    steps = session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.department_id == request.department_id)
        .order_by(ApprovalStep.position)
    )
    return [step for step in steps if step.min_amount is None or value > step.min_amount]


@dataclass(frozen=True)
class Progress:
    """Where a request stands: the steps, who approved which, and the one awaiting a decision."""

    steps: list[ApprovalStep]
    approvals: dict[int, ApprovalDecision]
    next_step: ApprovalStep | None


def progress(session: Session, request: ApprovalRequest) -> Progress:
    steps = chain_for(session, request)
    approvals = {
        decision.step_id: decision
        for decision in request.decisions
        if decision.decision == Decision.APPROVE.value
    }
    waiting = next((step for step in steps if step.id not in approvals), None)
    return Progress(steps=steps, approvals=approvals, next_step=waiting)


def may_decide(user: PanelUser, request: ApprovalRequest) -> bool:
    """An approver of the request's department (scoping); the other checks come at decision."""
    return request.department_id in user.department_ids(Role.APPROVER)


def decide(
    session: Session,
    request: ApprovalRequest,
    user: PanelUser,
    decision: Decision,
    comment: str = "",
    now: datetime | None = None,
) -> ApprovalDecision:
    """Record ``user``'s decision on the step awaiting one, after every check; audited."""
    now = now or utcnow()
    opportunity = session.get(Opportunity, request.opportunity_id)
    assert opportunity is not None
    if request.status != RequestStatus.OPEN.value:
        raise DecisionRefused("not_open")
    if opportunity.version != request.version:
        raise DecisionRefused("outdated_version")
    if not may_decide(user, request):
        raise DecisionRefused("not_an_approver")
    if request.author_email and user.email.lower() == request.author_email.lower():
        raise DecisionRefused("author")
    if any(item.user_id == user.id for item in request.decisions):
        raise DecisionRefused("already_decided")
    state = progress(session, request)
    step = state.next_step
    if step is None:
        raise DecisionRefused("not_open")
    if step.approvers and user.id not in {person.id for person in step.approvers}:
        raise DecisionRefused("not_step_approver")
    if decision is Decision.REQUEST_CHANGES and not comment.strip():
        raise DecisionRefused("comment_required")
    if decision is Decision.REQUEST_CHANGES and units(comment.strip()) > comment_room(
        step, user.display_name
    ):
        raise DecisionRefused("comment_too_long")  # its note would not fit the marketplace
    evaluation = session.scalar(
        select(RuleEvaluation).where(
            RuleEvaluation.opportunity_id == opportunity.id, RuleEvaluation.current.is_(True)
        )
    )
    last = step.id == state.steps[-1].id
    judged_clean = (
        evaluation is not None and evaluation.version == request.version and not evaluation.blocking
    )
    if decision is Decision.APPROVE and last and not judged_clean:
        raise DecisionRefused("blocking_findings")
    made = ApprovalDecision(
        request=request,
        step_id=step.id,
        user_id=user.id,
        user_name=user.display_name,
        decision=decision.value,
        comment=comment.strip(),
        evaluation_id=evaluation.id if evaluation else None,
        decided_at=now,
        note_status="pending" if decision is Decision.REQUEST_CHANGES else None,
    )
    session.add(made)
    if decision is Decision.REQUEST_CHANGES:
        request.status = RequestStatus.CHANGES_REQUESTED.value
    elif last:
        request.status, request.closed_at = RequestStatus.APPROVED.value, now
        request.approved_copy = public_copy(session, opportunity)
    session.flush()
    _tell(session, request, made, step, now)
    record(
        session,
        Actor.user(user.id, user.display_name),
        f"approval.{decision.value}",
        "approval_request",
        request.id,
        now=now,
        after={
            "opportunity": opportunity.id,
            "version": request.version,
            "step": step.key,
            "comment": made.comment,
            "status": request.status,
        },
    )
    session.flush()
    return made


def _tell(
    session: Session,
    request: ApprovalRequest,
    made: ApprovalDecision,
    step: ApprovalStep,
    now: datetime,
) -> None:
    """The author learns of a request for changes; the next step's approvers learn it awaits
    them. The author's digest of approvals goes with publication (``bridge.approvals.publish``)."""
    notices.decided(session, request, made, step, now)
    if request.status == RequestStatus.OPEN.value:
        following = progress(session, request).next_step
        if following is not None:
            request.waiting_since, request.reminded_at = now, None
            notices.step_awaiting(session, request, following, now)


def open_request(
    session: Session,
    opportunity: Opportunity,
    department_id: int,
    author_email: str | None,
    now: datetime | None = None,
) -> ApprovalRequest:
    """The request for the opportunity's current version; earlier ones are superseded.

    Idempotent: asking again for the same version returns the request already open for it.
    """
    now = now or utcnow()
    existing = list(
        session.scalars(
            select(ApprovalRequest).where(
                ApprovalRequest.opportunity_id == opportunity.id,
                ApprovalRequest.status.in_(
                    [
                        RequestStatus.OPEN.value,
                        RequestStatus.CHANGES_REQUESTED.value,
                        RequestStatus.APPROVED.value,
                    ]
                ),
            )
        )
    )
    for request in existing:
        if request.version == opportunity.version:
            return request  # still deciding, waiting for changes, or for publication
        request.status, request.closed_at = RequestStatus.SUPERSEDED.value, now
    request = ApprovalRequest(
        opportunity_id=opportunity.id,
        version=opportunity.version,
        department_id=department_id,
        author_email=author_email,
        status=RequestStatus.OPEN.value,
        content_hash=opportunity.content_hash,
        opened_at=now,
        waiting_since=now,
    )
    session.add(request)
    session.flush()
    first = progress(session, request).next_step
    if first is not None:
        notices.step_awaiting(session, request, first, now)
    record(
        session,
        Actor.job("approvals"),
        "approval.requested",
        "approval_request",
        request.id,
        now=now,
        after={
            "opportunity": opportunity.id,
            "version": opportunity.version,
            "superseded": [item.id for item in existing],
        },
    )
    return request


def announce_waiting_steps(
    session: Session, department_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Tell whoever may now decide an open request's waiting step that it awaits them.

    Called when approvers or chains change: someone granted the approver role after a request
    opened would otherwise never hear of it. Those already told are not told again (the
    outbox keys each message by request, step and recipient). The number of messages queued.
    """
    now = now or utcnow()
    query = select(ApprovalRequest).where(ApprovalRequest.status == RequestStatus.OPEN.value)
    if department_ids is not None:
        query = query.where(ApprovalRequest.department_id.in_(list(department_ids)))
    queued = 0
    for request in session.scalars(query.order_by(ApprovalRequest.id)):
        step = progress(session, request).next_step
        if step is not None:
            queued += notices.step_awaiting(session, request, step, now)
    return queued


def awaiting(session: Session, user: PanelUser) -> list[ApprovalRequest]:
    """Open requests of the user's departments that the user may still decide."""
    departments = user.department_ids(Role.APPROVER)
    if not departments:
        return []
    requests = session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.status == RequestStatus.OPEN.value,
            ApprovalRequest.department_id.in_(sorted(departments)),
        )
    )
    return [request for request in requests if _may_decide_next(session, request, user)]


def _may_decide_next(session: Session, request: ApprovalRequest, user: PanelUser) -> bool:
    if request.author_email and request.author_email.lower() == user.email.lower():
        return False
    if any(decision.user_id == user.id for decision in request.decisions):
        return False
    step = progress(session, request).next_step
    return step is not None and (not step.approvers or user in step.approvers)


def timeline(session: Session, opportunity_id: str) -> list[ApprovalRequest]:
    """Every request of an opportunity, oldest first, with its decisions: its approval story."""
    return list(
        session.scalars(
            select(ApprovalRequest)
            .where(ApprovalRequest.opportunity_id == opportunity_id)
            .order_by(ApprovalRequest.id)
        )
    )
