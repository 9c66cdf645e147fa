"""Every query of the sync domain: reading what is stored, and upserting what was read.

Each function works inside the caller's transaction and never commits: the engine decides the
unit of work, so that an opportunity, its addenda, history, proposals, award and the events they
raise land together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge.marketplace.client import Malformed
from bridge.marketplace.models import (
    OpportunityModel,
    OrganizationSlim,
    ProposalModel,
    User,
)
from bridge.marketplace.models import (
    Organization as OrganizationRecord,
)
from bridge.sync.awards import AwardFacts, derive_award, proposal_proponent
from bridge.sync.fingerprints import canonical, content_hash, digest, record_fingerprint
from bridge.sync.models import (
    Addendum,
    Award,
    ChangeEvent,
    ChangeEventType,
    HistoryEntry,
    ListBookmark,
    MarketplaceUser,
    Opportunity,
    Organization,
    Proposal,
    QuarantinedRecord,
    RunOutcome,
    SyncRun,
)


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class StoredOpportunity:
    """What the sync needs to know of a stored opportunity to decide whether to read it again."""

    id: str
    status: str
    marketplace_updated_at: datetime
    etag: str | None
    fingerprint: str
    proposals_synced_for: str | None
    removed_at: datetime | None
    detail_checked_at: datetime | None


# Runs -----------------------------------------------------------------------------------------


def start_run(session: Session, trigger: str, full: bool, now: datetime) -> SyncRun:
    run = SyncRun(started_at=now, trigger=trigger, full=full, counts={}, errors=[], http={})
    session.add(run)
    session.flush()
    return run


def interrupt_stale_runs(session: Session, now: datetime) -> int:
    """Runs still marked running were cut off (the caller holds the run lock, so none is live)."""
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.outcome == RunOutcome.RUNNING.value)
        .values(outcome=RunOutcome.INTERRUPTED.value, finished_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def finish_run(
    session: Session,
    run_id: int,
    outcome: RunOutcome,
    counts: dict[str, Any],
    errors: list[str],
    http: dict[str, int],
    now: datetime,
) -> None:
    run = session.get_one(SyncRun, run_id)
    run.outcome = outcome.value
    run.counts = counts
    run.errors = errors[:200]
    run.http = http
    run.finished_at = now


def last_full_run_at(session: Session) -> datetime | None:
    return session.scalar(
        select(SyncRun.started_at)
        .where(SyncRun.full.is_(True), SyncRun.outcome == RunOutcome.SUCCEEDED.value)
        .order_by(SyncRun.started_at.desc())
        .limit(1)
    )


# Bookmarks and quarantine --------------------------------------------------------------------


def load_bookmark(session: Session, stream: str) -> ListBookmark | None:
    return session.get(ListBookmark, stream)


def save_bookmark(
    session: Session, stream: str, etag: str, items: list[Any], now: datetime
) -> None:
    bookmark = session.get(ListBookmark, stream)
    if bookmark is None:
        session.add(ListBookmark(stream=stream, etag=etag, items=items, updated_at=now))
    else:
        bookmark.etag, bookmark.items, bookmark.updated_at = etag, items, now


def quarantine(session: Session, record: Malformed, now: datetime) -> None:
    """Keep a malformed record whole, once per (kind, id), counting how often it was seen."""
    key = record.record_id or f"sha256:{digest(record.payload)[:64]}"
    key = key[:80]
    existing = session.scalar(
        select(QuarantinedRecord).where(
            QuarantinedRecord.record_kind == record.record_kind,
            QuarantinedRecord.record_key == key,
        )
    )
    if existing is None:
        session.add(
            QuarantinedRecord(
                record_kind=record.record_kind,
                record_key=key,
                record_id=(record.record_id or None) and record.record_id[:36],
                payload=record.payload,
                error=record.error,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
        return
    existing.payload = record.payload
    existing.error = record.error
    existing.last_seen_at = now
    existing.times_seen += 1
    existing.resolved_at = None


def unresolved_quarantine_keys(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(
        select(QuarantinedRecord.record_kind, QuarantinedRecord.record_key).where(
            QuarantinedRecord.resolved_at.is_(None)
        )
    )
    return {(kind, key) for kind, key in rows}


def resolve_quarantine(session: Session, record_kind: str, record_id: str, now: datetime) -> None:
    """A record that once failed has now been read cleanly."""
    session.execute(
        update(QuarantinedRecord)
        .where(
            QuarantinedRecord.record_kind == record_kind,
            QuarantinedRecord.record_key == record_id,
            QuarantinedRecord.resolved_at.is_(None),
        )
        .values(resolved_at=now)
    )


# Opportunities --------------------------------------------------------------------------------


def stored_opportunities(session: Session, kind: str) -> dict[str, StoredOpportunity]:
    rows = session.execute(
        select(
            Opportunity.id,
            Opportunity.status,
            Opportunity.marketplace_updated_at,
            Opportunity.etag,
            Opportunity.fingerprint,
            Opportunity.proposals_synced_for,
            Opportunity.removed_at,
            Opportunity.detail_checked_at,
        ).where(Opportunity.kind == kind)
    )
    return {row.id: StoredOpportunity(*row) for row in rows}


def mark_detail_checked(session: Session, opportunity_id: str, now: datetime) -> None:
    """The detail was read again and had not changed (a 304)."""
    session.execute(
        update(Opportunity).where(Opportunity.id == opportunity_id).values(detail_checked_at=now)
    )


def mark_opportunities_removed(
    session: Session, ids: Iterable[str], run_id: int, now: datetime
) -> int:
    """Opportunities gone from the marketplace's full list: marked, never deleted."""
    count = 0
    for opportunity_id in ids:
        opportunity = session.get_one(Opportunity, opportunity_id)
        if opportunity.removed_at is None:
            opportunity.removed_at = now
            _event(session, opportunity, ChangeEventType.REMOVED, run_id, now)
            count += 1
    return count


def apply_opportunity(
    session: Session,
    record: OpportunityModel,
    *,
    kind: str,
    etag: str | None,
    proposals: Sequence[ProposalModel] | None,
    run_id: int,
    now: datetime,
) -> tuple[Outcome, Counter[str]]:
    """Upsert one opportunity read in full, with its proposals when they were read too.

    Returns the opportunity's outcome and the outcomes of its proposals.
    """
    fingerprint = record_fingerprint(record)
    opportunity = session.get(Opportunity, record.id)
    outcome = Outcome.CHANGED
    if opportunity is None:
        opportunity = Opportunity(id=record.id, kind=kind, version=1, first_seen_at=now)
        session.add(opportunity)
        outcome = Outcome.NEW
    elif opportunity.fingerprint == fingerprint and opportunity.removed_at is None:
        outcome = Outcome.UNCHANGED

    if outcome is not Outcome.UNCHANGED:
        _write_opportunity(session, opportunity, record, fingerprint, outcome, run_id, now)
    opportunity.etag = etag
    opportunity.detail_checked_at = now
    proposal_outcomes: Counter[str] = Counter()
    if proposals is not None:
        proposal_outcomes = _apply_proposals(session, opportunity, kind, proposals, now)
        _apply_award(session, opportunity, derive_award(record, proposals), run_id, now)
        opportunity.proposals_synced_for = fingerprint
    elif outcome is not Outcome.UNCHANGED:
        _apply_award(session, opportunity, derive_award(record, None), run_id, now)
    return outcome, proposal_outcomes


def _write_opportunity(
    session: Session,
    opportunity: Opportunity,
    record: OpportunityModel,
    fingerprint: str,
    outcome: Outcome,
    run_id: int,
    now: datetime,
) -> None:
    previous_status = None if outcome is Outcome.NEW else opportunity.status
    previous_content = None if outcome is Outcome.NEW else opportunity.content_hash
    was_removed = opportunity.removed_at is not None
    new_content = content_hash(record)
    if previous_content is not None and previous_content != new_content:
        opportunity.version += 1

    _copy_fields(opportunity, record)
    opportunity.payload = canonical(record)
    opportunity.fingerprint = fingerprint
    opportunity.content_hash = new_content
    opportunity.stored_at = now
    opportunity.removed_at = None
    session.flush()
    new_addenda = _sync_addenda(session, opportunity, record)
    _sync_history(opportunity, record)

    if outcome is Outcome.NEW:
        _event(session, opportunity, ChangeEventType.CREATED, run_id, now)
    if was_removed:
        _event(session, opportunity, ChangeEventType.RESTORED, run_id, now)
    if previous_status != opportunity.status:
        if previous_status is not None:
            details = {"from": previous_status, "to": opportunity.status}
            _event(session, opportunity, ChangeEventType.STATUS_CHANGED, run_id, now, details)
        if opportunity.status == "UNDER_REVIEW":
            _event(session, opportunity, ChangeEventType.ENTERED_UNDER_REVIEW, run_id, now)
    if previous_content is not None and previous_content != new_content:
        _event(session, opportunity, ChangeEventType.CONTENT_EDITED, run_id, now)
    if outcome is not Outcome.NEW:
        for addendum_id in new_addenda:
            details = {"addendum_id": addendum_id}
            _event(session, opportunity, ChangeEventType.ADDENDUM_ADDED, run_id, now, details)


def _copy_fields(opportunity: Opportunity, record: OpportunityModel) -> None:
    opportunity.status = record.status.value
    opportunity.title = record.title
    opportunity.teaser = record.teaser
    opportunity.description = record.description
    opportunity.location = record.location
    opportunity.remote_ok = record.remote_ok
    opportunity.remote_desc = record.remote_desc
    opportunity.submission_info = getattr(record, "submission_info", "")
    opportunity.acceptance_criteria = getattr(record, "acceptance_criteria", "")
    opportunity.evaluation_criteria = getattr(record, "evaluation_criteria", "")
    opportunity.skills = record.all_skills
    opportunity.amount = record.amount
    opportunity.proposal_deadline = record.proposal_deadline
    opportunity.assignment_date = record.assignment_date
    opportunity.start_date = record.start_date
    opportunity.completion_date = record.completion_date
    opportunity.published_at = record.published_at
    opportunity.num_proposals = record.reporting.num_proposals if record.reporting else None
    opportunity.created_by_id = record.created_by.id if record.created_by else None
    opportunity.updated_by_id = record.updated_by.id if record.updated_by else None
    opportunity.marketplace_created_at = record.created_at
    opportunity.marketplace_updated_at = record.updated_at


def _sync_addenda(
    session: Session, opportunity: Opportunity, record: OpportunityModel
) -> list[str]:
    """Mirror the addenda; return the ids of the ones not seen before."""
    stored = {addendum.id: addendum for addendum in opportunity.addenda}
    incoming = {addendum.id for addendum in record.addenda}
    added = []
    for item in record.addenda:
        addendum = stored.get(item.id)
        if addendum is None:
            addendum = Addendum(id=item.id)
            opportunity.addenda.append(addendum)
            added.append(item.id)
        addendum.description = item.description
        addendum.created_at = item.created_at
        addendum.created_by_id = item.created_by.id if item.created_by else None
    for addendum_id, addendum in stored.items():
        if addendum_id not in incoming:
            opportunity.addenda.remove(addendum)
    return added


def _sync_history(opportunity: Opportunity, record: OpportunityModel) -> None:
    """Mirror the history when the marketplace shows it (a fork may hide it: keep ours then)."""
    if record.history is None:
        return
    stored = {entry.id: entry for entry in opportunity.history}
    for item in record.history:
        entry = stored.pop(item.id, None)
        if entry is None:
            entry = HistoryEntry(id=item.id)
            opportunity.history.append(entry)
        entry.created_at = item.created_at
        entry.created_by_id = item.created_by.id if item.created_by else None
        entry.note = item.note
        entry.type_tag = item.type.tag
        entry.type_value = item.type.value
    for entry in stored.values():
        opportunity.history.remove(entry)


# Proposals and awards -------------------------------------------------------------------------


def _apply_proposals(
    session: Session,
    opportunity: Opportunity,
    kind: str,
    proposals: Sequence[ProposalModel],
    now: datetime,
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    stored = {
        proposal.id: proposal
        for proposal in session.scalars(
            select(Proposal).where(Proposal.opportunity_id == opportunity.id)
        )
    }
    for record in proposals:
        fingerprint = record_fingerprint(record)
        proposal = stored.pop(record.id, None)
        if proposal is None:
            proposal = Proposal(id=record.id, kind=kind, first_seen_at=now)
            session.add(proposal)
            outcomes[Outcome.NEW.value] += 1
        elif proposal.fingerprint == fingerprint and proposal.removed_at is None:
            outcomes[Outcome.UNCHANGED.value] += 1
            continue
        else:
            outcomes[Outcome.CHANGED.value] += 1
        proponent_type, proponent_id, name, email = proposal_proponent(record)
        proposal.opportunity_id = opportunity.id
        proposal.status = record.status.value
        proposal.proponent_type = proponent_type
        proposal.proponent_id = proponent_id
        proposal.proponent_name = name
        proposal.proponent_email = email
        proposal.score = getattr(record, "score", None) or getattr(record, "total_score", None)
        proposal.rank = record.rank
        proposal.submitted_at = record.submitted_at
        proposal.marketplace_created_at = record.created_at
        proposal.marketplace_updated_at = record.updated_at
        proposal.payload = canonical(record)
        proposal.fingerprint = fingerprint
        proposal.stored_at = now
        proposal.removed_at = None
    for proposal in stored.values():
        if proposal.removed_at is None:
            proposal.removed_at = now
    return outcomes


def _apply_award(
    session: Session,
    opportunity: Opportunity,
    facts: AwardFacts | None,
    run_id: int,
    now: datetime,
) -> None:
    if facts is None:
        return
    award = session.get(Award, opportunity.id)
    if award is not None and _same_award(award, facts):
        return
    first = award is None
    if award is None:
        award = Award(opportunity_id=opportunity.id, kind=opportunity.kind, created_at=now)
        session.add(award)
    award.proposal_id = facts.proposal_id
    award.proponent_type = facts.proponent_type
    award.proponent_id = facts.proponent_id
    award.supplier_name = facts.supplier_name
    award.supplier_email = facts.supplier_email
    award.amount = facts.amount
    award.awarded_at = facts.awarded_at
    award.fingerprint = facts.fingerprint
    award.updated_at = now
    event = ChangeEventType.BECAME_AWARDED if first else ChangeEventType.AWARD_CHANGED
    _event(session, opportunity, event, run_id, now, {"proponent_id": facts.proponent_id})


def _same_award(award: Award, facts: AwardFacts) -> bool:
    if award.fingerprint == facts.fingerprint:
        return True
    # Proposals were not read this time: the winner already matched to a proposal stands.
    return (
        facts.proposal_id is None
        and award.proposal_id is not None
        and award.proponent_id == facts.proponent_id
        and award.amount == facts.amount
        and award.awarded_at == facts.awarded_at
    )


# Users and organizations ----------------------------------------------------------------------


def apply_users(session: Session, users: Iterable[User], now: datetime) -> dict[str, int]:
    stored = {user.id: user for user in session.scalars(select(MarketplaceUser))}
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    seen = set()
    for record in users:
        seen.add(record.id)
        fingerprint = record_fingerprint(record)
        user = stored.get(record.id)
        if user is not None and user.fingerprint == fingerprint and user.removed_at is None:
            counts["unchanged"] += 1
            continue
        counts["new" if user is None else "changed"] += 1
        if user is None:
            user = MarketplaceUser(id=record.id, first_seen_at=now)
            session.add(user)
        user.type = record.type.value
        user.status = record.status.value
        user.name = record.name
        user.email = record.email
        user.job_title = record.job_title
        user.fingerprint = fingerprint
        user.stored_at = now
        user.removed_at = None
    _mark_gone(stored.values(), seen, now)
    return counts


def apply_organizations(
    session: Session, organizations: Iterable[OrganizationSlim], now: datetime
) -> dict[str, int]:
    stored = {item.id: item for item in session.scalars(select(Organization))}
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    seen = set()
    for record in organizations:
        seen.add(record.id)
        outcome = _upsert_organization(session, stored.get(record.id), record, now)
        counts[outcome.value] += 1
    _mark_gone(stored.values(), seen, now)
    return counts


def apply_organization_detail(session: Session, record: OrganizationRecord, now: datetime) -> None:
    """An organization read in full, for its address (an award's supplier needs it)."""
    organization = session.get(Organization, record.id)
    if organization is None:
        slim = OrganizationSlim.model_validate(record.model_dump(by_alias=True))
        _upsert_organization(session, None, slim, now)
        organization = session.get_one(Organization, record.id)
    organization.city = record.city
    organization.region = record.region
    organization.mail_code = record.mail_code
    organization.country = record.country


def organizations_lacking_address(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    if not wanted:
        return set()
    known = session.scalars(
        select(Organization.id).where(
            Organization.id.in_(wanted), Organization.country.is_not(None)
        )
    )
    return wanted - set(known)


def _upsert_organization(
    session: Session,
    organization: Organization | None,
    record: OrganizationSlim,
    now: datetime,
) -> Outcome:
    fingerprint = record_fingerprint(record)
    if (
        organization is not None
        and organization.removed_at is None
        and organization.fingerprint == fingerprint
    ):
        return Outcome.UNCHANGED
    outcome = Outcome.NEW if organization is None else Outcome.CHANGED
    if organization is None:
        organization = Organization(id=record.id, first_seen_at=now)
        session.add(organization)
    organization.legal_name = record.legal_name
    organization.active = record.active
    organization.payload = canonical(record)
    organization.fingerprint = fingerprint
    organization.stored_at = now
    organization.removed_at = None
    session.flush()
    return outcome


def _mark_gone(
    stored: Iterable[MarketplaceUser | Organization], seen: set[str], now: datetime
) -> None:
    for record in stored:
        if record.id not in seen and record.removed_at is None:
            record.removed_at = now


# Events ---------------------------------------------------------------------------------------


def _event(
    session: Session,
    opportunity: Opportunity,
    event_type: ChangeEventType,
    run_id: int,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        ChangeEvent(
            run_id=run_id,
            occurred_at=now,
            type=event_type.value,
            opportunity_id=opportunity.id,
            opportunity_kind=opportunity.kind,
            version=opportunity.version,
            details=details or {},
        )
    )
