"""Writing batches of opportunities read in full: compare with what is stored, then upsert.

A sync writes tens of thousands of rows (opportunities, addenda, history, proposals, awards,
events). Through the ORM's unit of work that costs several times the HTTP reads themselves, so
this module reads the stored state of a whole batch in a few queries, decides in Python what
changed (and which events that raises), and writes each table with one multi-row
``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL both have it). The caller's
transaction holds the batch: it lands whole or not at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bridge.marketplace.models import OpportunityModel, ProposalModel
from bridge.sync.awards import AwardFacts, derive_award, proposal_proponent
from bridge.sync.fingerprints import canonical_json, content_hash, fingerprint_of
from bridge.sync.models import (
    Addendum,
    Award,
    ChangeEvent,
    ChangeEventType,
    HistoryEntry,
    Opportunity,
    Proposal,
)
from bridge.sync.store import Outcome

OPPORTUNITIES: Table = Opportunity.__table__  # type: ignore[assignment]
ADDENDA: Table = Addendum.__table__  # type: ignore[assignment]
HISTORY: Table = HistoryEntry.__table__  # type: ignore[assignment]
PROPOSALS: Table = Proposal.__table__  # type: ignore[assignment]
AWARDS: Table = Award.__table__  # type: ignore[assignment]
EVENTS: Table = ChangeEvent.__table__  # type: ignore[assignment]


@dataclass
class StoredBatch:
    """What is stored of a batch's opportunities, as plain rows."""

    opportunities: dict[str, Any]
    addenda: dict[str, set[str]]
    history: dict[str, set[str]]
    proposals: dict[str, dict[str, Any]]
    awards: dict[str, Any]


def read_stored(session: Session, opportunity_ids: Collection[str]) -> StoredBatch:
    ids = list(opportunity_ids)
    opportunities = {
        row.id: row
        for row in session.execute(
            select(
                Opportunity.id,
                Opportunity.status,
                Opportunity.content_hash,
                Opportunity.fingerprint,
                Opportunity.version,
                Opportunity.removed_at,
                Opportunity.proposals_synced_for,
            ).where(Opportunity.id.in_(ids))
        )
    }
    addenda: dict[str, set[str]] = defaultdict(set)
    for row in session.execute(
        select(Addendum.opportunity_id, Addendum.id).where(Addendum.opportunity_id.in_(ids))
    ):
        addenda[row.opportunity_id].add(row.id)
    history: dict[str, set[str]] = defaultdict(set)
    for row in session.execute(
        select(HistoryEntry.opportunity_id, HistoryEntry.id).where(
            HistoryEntry.opportunity_id.in_(ids)
        )
    ):
        history[row.opportunity_id].add(row.id)
    proposals: dict[str, dict[str, Any]] = defaultdict(dict)
    for proposal in session.execute(
        select(
            Proposal.opportunity_id,
            Proposal.id,
            Proposal.fingerprint,
            Proposal.removed_at,
        ).where(Proposal.opportunity_id.in_(ids))
    ):
        proposals[proposal.opportunity_id][proposal.id] = proposal
    awards = {
        row.opportunity_id: row
        for row in session.execute(select(Award).where(Award.opportunity_id.in_(ids))).scalars()
    }
    return StoredBatch(opportunities, addenda, history, proposals, awards)


@dataclass
class BatchWrites:
    """Rows to write for one batch, gathered by ``plan_opportunity`` and written by ``write``."""

    run_id: int
    now: datetime
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    checked: list[dict[str, Any]] = field(default_factory=list)
    addenda: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    stale_addenda: list[str] = field(default_factory=list)
    stale_history: list[str] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    removed_proposals: list[str] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def event(
        self,
        opportunity_id: str,
        kind: str,
        version: int,
        event_type: ChangeEventType,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            {
                "run_id": self.run_id,
                "occurred_at": self.now,
                "type": event_type.value,
                "opportunity_id": opportunity_id,
                "opportunity_kind": kind,
                "version": version,
                "details": details or {},
            }
        )

    def write(self, session: Session) -> None:
        """Parents before children, so that foreign keys hold at every statement."""
        _upsert(session, OPPORTUNITIES, self.opportunities, keep=("first_seen_at",))
        if self.checked:
            session.execute(
                update(OPPORTUNITIES)
                .where(OPPORTUNITIES.c.id == bindparam("key"))
                .values(
                    etag=bindparam("etag"),
                    detail_checked_at=bindparam("checked_at"),
                    proposals_synced_for=bindparam("proposals_for"),
                ),
                self.checked,
            )
        _delete(session, ADDENDA, self.stale_addenda)
        _delete(session, HISTORY, self.stale_history)
        _upsert(session, ADDENDA, self.addenda)
        _upsert(session, HISTORY, self.history)
        _upsert(session, PROPOSALS, self.proposals, keep=("first_seen_at",))
        if self.removed_proposals:
            session.execute(
                update(PROPOSALS)
                .where(PROPOSALS.c.id.in_(self.removed_proposals))
                .values(removed_at=self.now)
            )
        _upsert(session, AWARDS, self.awards, keep=("created_at",))
        if self.events:
            session.execute(insert(EVENTS), self.events)


def _upsert(
    session: Session, table: Table, rows: list[dict[str, Any]], keep: Sequence[str] = ()
) -> None:
    """Insert ``rows``, or update the ones whose primary key exists (but the ``keep`` columns)."""
    if rows:
        dialect = session.get_bind().dialect.name
        session.execute(_upsert_statement(dialect, table, tuple(rows[0]), tuple(keep)), rows)


@lru_cache(maxsize=64)
def _upsert_statement(
    dialect: str, table: Table, columns: tuple[str, ...], keep: tuple[str, ...]
) -> Any:
    """Built once per table and column set: building it costs more than executing it."""
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_for(table)
    keys = [column.name for column in table.primary_key.columns]
    updates = {
        name: statement.excluded[name] for name in columns if name not in keys and name not in keep
    }
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


def _delete(session: Session, table: Table, ids: list[str]) -> None:
    if ids:
        session.execute(delete(table).where(table.c.id.in_(ids)))


def plan_opportunity(
    writes: BatchWrites,
    stored: StoredBatch,
    record: OpportunityModel,
    *,
    kind: str,
    etag: str | None,
    proposals: Sequence[ProposalModel] | None,
) -> tuple[Outcome, Counter[str]]:
    """Decide what one opportunity read in full changes, and queue its rows and events."""
    payload = canonical_json(record)
    fingerprint = fingerprint_of(payload)
    previous = stored.opportunities.get(record.id)
    if previous is None:
        outcome = Outcome.NEW
    elif previous.fingerprint == fingerprint and previous.removed_at is None:
        outcome = Outcome.UNCHANGED
    else:
        outcome = Outcome.CHANGED
    # The proposals are marked read for this version only when they were read with it.
    proposals_for = (
        fingerprint if proposals is not None else getattr(previous, "proposals_synced_for", None)
    )
    version = previous.version if previous is not None else 1
    if outcome is Outcome.UNCHANGED:
        writes.checked.append(
            {
                "key": record.id,
                "etag": etag,
                "checked_at": writes.now,
                "proposals_for": proposals_for,
            }
        )
    else:
        version = _plan_content(writes, stored, record, kind, previous, payload)
        writes.opportunities[-1].update(
            fingerprint=fingerprint, etag=etag, proposals_synced_for=proposals_for
        )
    proposal_outcomes: Counter[str] = Counter()
    if proposals is not None:
        proposal_outcomes = _plan_proposals(writes, stored, record.id, kind, proposals)
    if proposals is not None or outcome is not Outcome.UNCHANGED:
        award = derive_award(record, proposals)
        _plan_award(writes, stored.awards.get(record.id), award, record.id, kind, version)
    return outcome, proposal_outcomes


def _plan_content(
    writes: BatchWrites,
    stored: StoredBatch,
    record: OpportunityModel,
    kind: str,
    previous: Any,
    payload: str,
) -> int:
    new_content = content_hash(record)
    version = 1 if previous is None else previous.version
    if previous is not None and previous.content_hash != new_content:
        version += 1
    writes.opportunities.append(
        {
            **_opportunity_columns(record),
            "id": record.id,
            "kind": kind,
            "payload": payload,
            "content_hash": new_content,
            "version": version,
            "first_seen_at": writes.now,
            "stored_at": writes.now,
            "removed_at": None,
            "detail_checked_at": writes.now,
        }
    )
    new_addenda = _plan_children(
        writes.addenda,
        writes.stale_addenda,
        stored.addenda.get(record.id, set()),
        [_addendum_row(record.id, item) for item in record.addenda],
    )
    if record.history is not None:
        _plan_children(
            writes.history,
            writes.stale_history,
            stored.history.get(record.id, set()),
            [_history_row(record.id, item) for item in record.history],
        )
    _plan_events(writes, record, kind, version, previous, new_content, new_addenda)
    return version


def _plan_events(
    writes: BatchWrites,
    record: OpportunityModel,
    kind: str,
    version: int,
    previous: Any,
    new_content: str,
    new_addenda: list[str],
) -> None:
    status = record.status.value
    previous_status = previous.status if previous is not None else None
    if previous is None:
        writes.event(record.id, kind, version, ChangeEventType.CREATED)
    elif previous.removed_at is not None:
        writes.event(record.id, kind, version, ChangeEventType.RESTORED)
    if previous_status != status:
        if previous_status is not None:
            details = {"from": previous_status, "to": status}
            writes.event(record.id, kind, version, ChangeEventType.STATUS_CHANGED, details)
        if status == "UNDER_REVIEW":
            writes.event(record.id, kind, version, ChangeEventType.ENTERED_UNDER_REVIEW)
    if previous is not None and previous.content_hash != new_content:
        writes.event(record.id, kind, version, ChangeEventType.CONTENT_EDITED)
    if previous is not None:
        for addendum_id in new_addenda:
            details = {"addendum_id": addendum_id}
            writes.event(record.id, kind, version, ChangeEventType.ADDENDUM_ADDED, details)


def _plan_children(
    rows: list[dict[str, Any]], stale: list[str], known: set[str], incoming: list[dict[str, Any]]
) -> list[str]:
    """Queue the mirror of a child collection; return the ids not stored before."""
    rows.extend(incoming)
    incoming_ids = {row["id"] for row in incoming}
    stale.extend(sorted(known - incoming_ids))
    return [row["id"] for row in incoming if row["id"] not in known]


def _opportunity_columns(record: OpportunityModel) -> dict[str, Any]:
    return {
        "status": record.status.value,
        "title": record.title,
        "teaser": record.teaser,
        "description": record.description,
        "location": record.location,
        "remote_ok": record.remote_ok,
        "remote_desc": record.remote_desc,
        "submission_info": getattr(record, "submission_info", ""),
        "acceptance_criteria": getattr(record, "acceptance_criteria", ""),
        "evaluation_criteria": getattr(record, "evaluation_criteria", ""),
        "skills": record.all_skills,
        "amount": record.amount,
        "proposal_deadline": record.proposal_deadline,
        "assignment_date": record.assignment_date,
        "start_date": record.start_date,
        "completion_date": record.completion_date,
        "published_at": record.published_at,
        "num_proposals": record.reporting.num_proposals if record.reporting else None,
        "created_by_id": record.created_by.id if record.created_by else None,
        "updated_by_id": record.updated_by.id if record.updated_by else None,
        "marketplace_created_at": record.created_at,
        "marketplace_updated_at": record.updated_at,
    }


def _addendum_row(opportunity_id: str, item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "opportunity_id": opportunity_id,
        "description": item.description,
        "created_at": item.created_at,
        "created_by_id": item.created_by.id if item.created_by else None,
    }


def _history_row(opportunity_id: str, item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "opportunity_id": opportunity_id,
        "created_at": item.created_at,
        "created_by_id": item.created_by.id if item.created_by else None,
        "note": item.note,
        "type_tag": item.type.tag,
        "type_value": item.type.value,
    }


def _plan_proposals(
    writes: BatchWrites,
    stored: StoredBatch,
    opportunity_id: str,
    kind: str,
    proposals: Sequence[ProposalModel],
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    known = dict(stored.proposals.get(opportunity_id, {}))
    for record in proposals:
        previous = known.pop(record.id, None)
        payload = canonical_json(record)
        fingerprint = fingerprint_of(payload)
        if previous is not None and previous.fingerprint == fingerprint and not previous.removed_at:
            outcomes[Outcome.UNCHANGED.value] += 1
            continue
        outcomes[(Outcome.NEW if previous is None else Outcome.CHANGED).value] += 1
        proponent_type, proponent_id, name, email = proposal_proponent(record)
        writes.proposals.append(
            {
                "id": record.id,
                "kind": kind,
                "opportunity_id": opportunity_id,
                "status": record.status.value,
                "proponent_type": proponent_type,
                "proponent_id": proponent_id,
                "proponent_name": name,
                "proponent_email": email,
                "score": getattr(record, "score", None) or getattr(record, "total_score", None),
                "rank": record.rank,
                "submitted_at": record.submitted_at,
                "marketplace_created_at": record.created_at,
                "marketplace_updated_at": record.updated_at,
                "payload": payload,
                "fingerprint": fingerprint,
                "first_seen_at": writes.now,
                "stored_at": writes.now,
                "removed_at": None,
            }
        )
    writes.removed_proposals.extend(
        proposal_id for proposal_id, row in known.items() if row.removed_at is None
    )
    return outcomes


def _plan_award(
    writes: BatchWrites,
    award: Award | None,
    facts: AwardFacts | None,
    opportunity_id: str,
    kind: str,
    version: int,
) -> None:
    if facts is None or (award is not None and _same_award(award, facts)):
        return
    writes.awards.append(
        {
            "opportunity_id": opportunity_id,
            "kind": kind,
            "proposal_id": facts.proposal_id,
            "proponent_type": facts.proponent_type,
            "proponent_id": facts.proponent_id,
            "supplier_name": facts.supplier_name,
            "supplier_email": facts.supplier_email,
            "amount": facts.amount,
            "awarded_at": facts.awarded_at,
            "fingerprint": facts.fingerprint,
            "created_at": writes.now,
            "updated_at": writes.now,
        }
    )
    event = ChangeEventType.BECAME_AWARDED if award is None else ChangeEventType.AWARD_CHANGED
    writes.event(opportunity_id, kind, version, event, {"proponent_id": facts.proponent_id})


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
