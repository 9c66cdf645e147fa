"""Publishing an approved opportunity on the marketplace, safely repeatable.

A publish is two writes the marketplace does not make idempotent: the bilingual copy (``edit``)
and ``publish`` itself. So every attempt starts by reading the opportunity again and decides from
what the marketplace holds, never from what the bridge last tried:

- already PUBLISHED with the approved content (or the copy the bridge wrote): an earlier attempt
  succeeded and its answer was lost; it is recorded, nothing is sent;
- still under review with the approved content: the copy is written (when settings ask for it),
  then ``publish``;
- under review with the copy already written: only ``publish``;
- any other content: someone edited it since the approval. Nothing is sent; the sync sees the
  edit and a new approval starts.

The content the copy will produce is recorded before the edit is sent, so that an answer lost
in between is recognized on the next read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser
from bridge.approvals import notices
from bridge.approvals.models import ApprovalRequest, RequestStatus
from bridge.approvals.reasons import FOR_GOOD, NotPublished
from bridge.approvals.service import progress
from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.commands import Publish, cwu_edit_from
from bridge.marketplace.decode import Fetched
from bridge.marketplace.errors import ApiError, MarketplaceError
from bridge.marketplace.limits import CWU_FIELD_UNITS, units
from bridge.marketplace.models import CWUOpportunity, OpportunityModel
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.settings import Settings
from bridge.sync.fingerprints import content_hash
from bridge.sync.models import Opportunity
from bridge.translations.public_copy import marketplace_fields
from bridge.translations.service import public_copy

log = logging.getLogger(__name__)

AUTO = "auto"
PUBLISHABLE = frozenset({"DRAFT", "UNDER_REVIEW"})


@dataclass
class PublishReport:
    published: int = 0
    waiting: int = 0  # approved, waiting for an administrator (auto-publish off)
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    # What was published, to be read back at once: the panel shows the marketplace's status.
    written: list[tuple[OpportunityKind, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """What one attempt needs, read from the bridge's database."""

    request_id: int
    kind: OpportunityKind
    opportunity_id: str
    approved_hash: str | None
    copy_hash: str | None
    copy: dict[str, str]
    note: str


def approval_note(session: Session, request: ApprovalRequest, zone: ZoneInfo) -> str:
    """The note ``publish`` carries: who approved which step, in both languages, each day as
    the panel shows it (in ``zone``, not UTC: a decision late in the evening is that day's)."""
    department = session.get(Department, request.department_id)
    assert department is not None
    state = progress(session, request)
    parts = []
    for step in state.steps:
        decision = state.approvals.get(step.id)
        if decision is not None:
            day = decision.decided_at.astimezone(zone).date().isoformat()
            parts.append(f"{step.name_en} / {step.name_fr}: {decision.user_name} ({day})")
    return (
        f"Approved by {department.acronym} / Approuvé par {department.acronym} "
        f"(GC approval request {request.id}): " + "; ".join(parts)
    )


def authorize(
    session: Session, request: ApprovalRequest, user: PanelUser, now: datetime | None = None
) -> None:
    """An administrator lets an approved request be published (auto-publish off)."""
    now = now or utcnow()
    if request.status != RequestStatus.APPROVED.value or request.publish_authorized_by:
        raise ValueError("not waiting for publication")
    request.publish_authorized_by = user.display_name
    request.publish_refused_at = None  # tried again, once the cause is fixed
    record(
        session,
        Actor.user(user.id, user.display_name),
        "approval.publish_authorized",
        "approval_request",
        request.id,
        now=now,
        after={"opportunity": request.opportunity_id, "version": request.version},
    )


def _check_fits(copy: dict[str, str]) -> None:
    """The marketplace would refuse an edit over its limits: say which field, write nothing."""
    for name, text in copy.items():
        limit = CWU_FIELD_UNITS.get(name)
        if limit is not None and units(text) > limit:
            raise NotPublished("too_long", f"{name}: {units(text)} > {limit}")


class Publisher:
    def __init__(
        self, sessions: sessionmaker[Session], client: MarketplaceClient, settings: Settings
    ) -> None:
        self.sessions, self.client, self.settings = sessions, client, settings

    def run(self, now: datetime | None = None) -> PublishReport:
        """Publish every approved request that may go; tell administrators of the others."""
        report = PublishReport()
        with transaction(self.sessions) as session:
            due = []
            for request in session.scalars(
                select(ApprovalRequest)
                .where(
                    ApprovalRequest.status == RequestStatus.APPROVED.value,
                    ApprovalRequest.publish_refused_at.is_(None),  # waits for an administrator
                )
                .order_by(ApprovalRequest.id)
            ):
                if request.publish_authorized_by is None and self.settings.approvals_auto_publish:
                    request.publish_authorized_by = AUTO
                if request.publish_authorized_by is None:
                    notices.ready_to_publish(session, request, now or utcnow())
                    notices.approved(session, request, self.settings.zone, now or utcnow())
                    report.waiting += 1
                else:
                    due.append(self._plan(session, request))
        for plan in due:
            try:
                self._try(plan, now or utcnow())
            except (MarketplaceError, NotPublished) as problem:
                self._failed(plan, problem, now or utcnow())
                report.failed += 1
                report.errors.append(f"{plan.opportunity_id}: {problem}")
            else:
                report.published += 1
                report.written.append((plan.kind, plan.opportunity_id))
        return report

    # Planning ---------------------------------------------------------------------------------

    def _plan(self, session: Session, request: ApprovalRequest) -> Plan:
        opportunity = session.get(Opportunity, request.opportunity_id)
        assert opportunity is not None
        kind = OpportunityKind(opportunity.kind)
        copy: dict[str, str] = {}
        if self.settings.approvals_bilingual_copy and kind is OpportunityKind.CODE_WITH_US:
            # What the approvers approved, not the translations as they stand now.
            copy = dict(request.approved_copy or public_copy(session, opportunity))
        return Plan(
            request.id,
            kind,
            opportunity.id,
            request.content_hash,
            request.copy_hash,
            copy,
            approval_note(session, request, self.settings.zone),
        )

    # One attempt ------------------------------------------------------------------------------

    def _read(self, plan: Plan) -> OpportunityModel:
        answer = self.client.get_opportunity(plan.kind, plan.opportunity_id)
        if not isinstance(answer, Fetched) or not hasattr(answer.record, "status"):
            raise NotPublished("unreadable")
        return answer.record  # type: ignore[return-value]

    def _try(self, plan: Plan, now: datetime) -> None:
        """One attempt; a 4xx answer is a refusal no retry can change: it waits for an
        administrator to fix the cause and publish again."""
        try:
            self._attempt(plan, now)
        except ApiError as refused:
            message = "; ".join(refused.messages) or str(refused)
            raise NotPublished("refused", message) from refused

    def _attempt(self, plan: Plan, now: datetime) -> None:
        current = self._read(plan)
        held = content_hash(current)
        status = current.status.value
        known = {plan.approved_hash, plan.copy_hash} - {None}
        if status == "PUBLISHED":
            if held not in known:
                raise NotPublished("unapproved_content")
            self._published(plan, held, now, sent=False)
            return
        if status not in PUBLISHABLE:
            raise NotPublished("status", status)
        if held == plan.approved_hash and plan.copy and isinstance(current, CWUOpportunity):
            _check_fits(plan.copy)
            held = self._write_copy(plan, current, held)
        elif held not in known:
            raise NotPublished("changed")
        self.client.send(plan.kind, plan.opportunity_id, Publish(note=plan.note))
        self._published(plan, held, now, sent=True)

    def _write_copy(self, plan: Plan, current: CWUOpportunity, held: str) -> str:
        """Write the bilingual copy; the content hash the marketplace now holds."""
        expected = content_hash(current.model_copy(update=plan.copy))
        if expected == held:
            return held  # both languages are already there
        self._remember_copy(plan.request_id, expected, "approval.copy_planned")
        edit = cwu_edit_from(current, **marketplace_fields(plan.copy))
        written = content_hash(self.client.send(plan.kind, plan.opportunity_id, edit))
        if written != expected:
            self._remember_copy(plan.request_id, written, "approval.copy_written")
        return written

    # Bookkeeping ------------------------------------------------------------------------------

    def _remember_copy(self, request_id: int, copy_hash: str, action: str) -> None:
        with transaction(self.sessions) as session:
            request = session.get(ApprovalRequest, request_id)
            assert request is not None
            request.copy_hash = copy_hash
            record(
                session,
                Actor.job("approvals"),
                action,
                "approval_request",
                request_id,
                after={"copy_hash": copy_hash},
            )

    def _published(self, plan: Plan, held: str, now: datetime, *, sent: bool) -> None:
        with transaction(self.sessions) as session:
            request = session.get(ApprovalRequest, plan.request_id)
            assert request is not None
            request.status, request.published_at = RequestStatus.PUBLISHED.value, now
            request.publish_attempts += 1
            request.publish_error = None
            record(
                session,
                Actor.job("approvals"),
                "approval.published",
                "approval_request",
                request.id,
                now=now,
                after={
                    "opportunity": plan.opportunity_id,
                    "content_hash": held,
                    "publish_sent": sent,
                    "authorized_by": request.publish_authorized_by,
                },
            )
            notices.published(session, request, self.settings.zone, now)
        log.info("published %s (approval request %s)", plan.opportunity_id, plan.request_id)

    def _failed(self, plan: Plan, problem: Exception, now: datetime) -> None:
        log.warning("publishing %s failed: %s", plan.opportunity_id, problem)
        error = problem.stored if isinstance(problem, NotPublished) else str(problem)
        with transaction(self.sessions) as session:
            request = session.get(ApprovalRequest, plan.request_id)
            assert request is not None
            request.publish_attempts += 1
            request.publish_error = error
            if isinstance(problem, NotPublished) and problem.code in FOR_GOOD:
                request.publish_refused_at, request.publish_authorized_by = now, None
            record(
                session,
                Actor.job("approvals"),
                "approval.publish_failed",
                "approval_request",
                request.id,
                now=now,
                after={
                    "opportunity": plan.opportunity_id,
                    "error": error,
                    "attempt": request.publish_attempts,
                },
            )
            notices.publish_failed(session, request, error, now)
