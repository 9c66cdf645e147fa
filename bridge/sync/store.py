"""The sync engine's own reads and writes: its runs and full passes, the backlog of what it could
not read, list bookmarks, the quarantine, what it knows of each stored opportunity, users and
organizations. Opportunities read in full are written in batches by ``batch_upsert``; the panel
and monitoring read through ``queries``.

Each function works inside the caller's transaction and never commits: the engine decides the
unit of work, so that an opportunity, its addenda, history, proposals, award and the events they
raise land together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bridge.sync.fingerprints import canonical, digest, record_fingerprint
from bridge.sync.models import (
    BacklogEntry,
    ChangeEvent,
    ChangeEventType,
    ListBookmark,
    MarketplaceUser,
    Opportunity,
    Organization,
    QuarantinedRecord,
    RunOutcome,
    SyncRun,
)

if TYPE_CHECKING:
    from bridge.marketplace.decode import Malformed
    from bridge.marketplace.models import Organization as OrganizationRecord
    from bridge.marketplace.models import OrganizationSlim, User


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
    fully_read_in_run: int | None


# Runs -----------------------------------------------------------------------------------------


def start_run(
    session: Session, trigger: str, full: bool, now: datetime, *, joins_pass: bool = True
) -> SyncRun:
    """Record a run as started. A run that may join one (not a retry of one record) goes on
    with the full pass still open, or begins one when ``full``."""
    open_pass = open_full_pass(session) if joins_pass else None
    run = SyncRun(
        started_at=now,
        trigger=trigger,
        full=full or open_pass is not None,
        counts={},
        errors=[],
        http={},
    )
    session.add(run)
    session.flush()
    run.full_pass_of = run.id if full else open_pass
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
    behind: int = 0,
) -> None:
    run = session.get_one(SyncRun, run_id)
    run.outcome = outcome.value
    run.behind = behind
    run.counts = counts
    run.errors = errors[:200]
    run.http = http
    run.finished_at = now


def add_run_errors(session: Session, run_id: int, errors: list[str]) -> None:
    """Errors met after the sync itself, writing back to the marketplace."""
    run = session.get_one(SyncRun, run_id)
    run.errors = [*run.errors, *errors][:200]


# Full passes ----------------------------------------------------------------------------------
#
# A full refresh reads every opportunity in full once. It is a pass that may take several runs:
# the run that begins it names itself in ``full_pass_of``, the runs after it carry on with what
# it has not read yet, and the pass is done with the first of its runs that succeeds with
# nothing left behind. So a network that makes every run miss a few records costs one re-read
# of those few, never of the whole marketplace.


def _pass_complete() -> Any:
    return (SyncRun.outcome == RunOutcome.SUCCEEDED.value) & (SyncRun.behind == 0)


def open_full_pass(session: Session) -> int | None:
    """The first run of the full pass still under way, if one is."""
    latest = session.execute(
        select(SyncRun.full_pass_of, _pass_complete().label("complete"))
        .where(SyncRun.full_pass_of.is_not(None))
        .order_by(SyncRun.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.complete:
        return None
    return int(latest.full_pass_of)


def last_full_pass_started_at(session: Session) -> datetime | None:
    """When the last finished full pass began: the data is at least as fresh as that."""
    first = (
        select(SyncRun.full_pass_of)
        .where(SyncRun.full_pass_of.is_not(None), _pass_complete())
        .order_by(SyncRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return session.scalar(select(SyncRun.started_at).where(SyncRun.id == first))


# The backlog: opportunities listed but not read ------------------------------------------------


def backlog_ids(session: Session, kind: str | None = None) -> set[str]:
    query = select(BacklogEntry.opportunity_id)
    if kind is not None:
        query = query.where(BacklogEntry.kind == kind)
    return set(session.scalars(query))


def backlog(session: Session, limit: int = 100) -> list[BacklogEntry]:
    """The oldest first: what an operator looks at when a sync keeps missing a record."""
    query = select(BacklogEntry).order_by(BacklogEntry.first_failed_at, BacklogEntry.opportunity_id)
    return list(session.scalars(query.limit(limit)))


def backlog_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(BacklogEntry)) or 0


def add_to_backlog(
    session: Session, failures: dict[str, tuple[str, str]], run_id: int, now: datetime
) -> None:
    """``failures``: opportunity id → (kind, why it could not be read or stored)."""
    for opportunity_id, (kind, error) in failures.items():
        entry = session.get(BacklogEntry, opportunity_id)
        if entry is None:
            session.add(
                BacklogEntry(
                    opportunity_id=opportunity_id,
                    kind=kind,
                    error=error[:2000],
                    first_failed_at=now,
                    last_failed_at=now,
                    run_id=run_id,
                    failures=1,
                )
            )
            continue
        entry.error, entry.last_failed_at, entry.run_id = error[:2000], now, run_id
        entry.failures += 1


def clear_backlog(session: Session, opportunity_ids: Collection[str]) -> None:
    """These were read (or are gone from the marketplace): nothing waits for them any more."""
    if opportunity_ids:
        session.execute(
            delete(BacklogEntry).where(BacklogEntry.opportunity_id.in_(list(opportunity_ids)))
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
            Opportunity.fully_read_in_run,
        ).where(Opportunity.kind == kind)
    )
    return {row.id: StoredOpportunity(*row) for row in rows}


def mark_details_checked(session: Session, opportunity_ids: Collection[str], now: datetime) -> None:
    """These details were read again and had not changed (304s)."""
    _mark(session, opportunity_ids, detail_checked_at=now)


def mark_fully_read(session: Session, opportunity_ids: Collection[str], run_id: int) -> None:
    """These were read in full by ``run_id``: its full pass is done with them."""
    _mark(session, opportunity_ids, fully_read_in_run=run_id)


def _mark(session: Session, opportunity_ids: Collection[str], **values: Any) -> None:
    if opportunity_ids:
        session.execute(
            update(Opportunity)
            .where(Opportunity.id.in_(list(opportunity_ids)))
            .values(**values)
            .execution_options(synchronize_session=False)
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
        from bridge.marketplace.models import OrganizationSlim

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
