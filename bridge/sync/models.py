"""Tables of the marketplace data the bridge keeps, and of the sync's own bookkeeping.

The marketplace stays the source of truth for these records: the bridge only mirrors them,
marks (never deletes) those that disappear, and derives awards and change events from them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import ExactDecimal, UTCDateTime

UUID_LENGTH = 36


class ChangeEventType(StrEnum):
    """What later stages react to; written in the same transaction as the change itself."""

    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ENTERED_UNDER_REVIEW = "entered_under_review"
    BECAME_AWARDED = "became_awarded"
    CONTENT_EDITED = "content_edited"
    ADDENDUM_ADDED = "addendum_added"
    AWARD_CHANGED = "award_changed"
    REMOVED = "removed"
    RESTORED = "restored"


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Opportunity(Base):
    """An opportunity of any kind, with its money figure under one name: ``amount``."""

    __tablename__ = "opportunities"
    # The panel's list: live opportunities, most recently updated first, a page at a time.
    __table_args__ = (
        # SQLite counts the live rows from this one without reading the (large) rows.
        Index("ix_opportunities_listing", "removed_at", "marketplace_updated_at", "id"),
        # Partial: PostgreSQL will not read rows in order past a leading "IS NULL" column.
        Index(
            "ix_opportunities_live",
            "marketplace_updated_at",
            "id",
            postgresql_where=text("removed_at IS NULL"),
            sqlite_where=text("removed_at IS NULL"),
        ),
        # The list filtered by status and kind: the filters' columns are tested in the index,
        # and only the rows they leave are read for the text search (0020).
        Index(
            "ix_opportunities_filtered",
            "status",
            "kind",
            "removed_at",
            "created_by_id",
            "marketplace_updated_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    teaser: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text, default="")
    remote_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_desc: Mapped[str] = mapped_column(Text, default="")
    submission_info: Mapped[str] = mapped_column(Text, default="")
    acceptance_criteria: Mapped[str] = mapped_column(Text, default="")
    evaluation_criteria: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    proposal_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    assignment_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    num_proposals: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH), index=True)
    updated_by_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    marketplace_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    marketplace_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The marketplace's answer as it came, kept for the record. Nothing that loads an
    # opportunity reads it, and decoding it on every load cost the rules, the approvals and
    # the panel more than the columns they use.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    etag: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the detail was last read (changed or not): still-open opportunities are read again
    # once this is older than the re-check interval, to catch addenda and notes.
    detail_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The fingerprint the proposals were last read for; differs → read them again.
    proposals_synced_for: Mapped[str | None] = mapped_column(String(64))
    # The last run that read it in full (detail unconditionally, proposals again): a full pass
    # begun by run N is done with it once this is N or later.
    fully_read_in_run: Mapped[int | None] = mapped_column(Integer)

    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="Addendum.created_at"
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        order_by="HistoryEntry.created_at.desc()",
    )


class Addendum(Base):
    __tablename__ = "opportunity_addenda"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))

    opportunity: Mapped[Opportunity] = relationship(back_populates="addenda")


class HistoryEntry(Base):
    """A status record or an event in an opportunity's marketplace history."""

    __tablename__ = "opportunity_history"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)
    type_tag: Mapped[str] = mapped_column(String(10))
    type_value: Mapped[str] = mapped_column(String(40))

    opportunity: Mapped[Opportunity] = relationship(back_populates="history")


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(40), index=True)
    proponent_type: Mapped[str] = mapped_column(String(12))
    proponent_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    proponent_name: Mapped[str | None] = mapped_column(Text)
    proponent_email: Mapped[str | None] = mapped_column(Text)
    score: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 4))
    rank: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marketplace_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    marketplace_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Declared so that one flush inserts the opportunity before its proposals.
    opportunity: Mapped[Opportunity] = relationship()


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    legal_name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    city: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    mail_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MarketplaceUser(Base):
    """A marketplace account, slim: enough to route an opportunity to its department."""

    __tablename__ = "marketplace_users"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text, index=True)
    job_title: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Award(Base):
    """An AWARDED opportunity and its winning proposal, as one record later stages export."""

    __tablename__ = "awards"

    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    proposal_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    proponent_type: Mapped[str] = mapped_column(String(12))
    proponent_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    supplier_name: Mapped[str] = mapped_column(Text)
    supplier_email: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opportunity: Mapped[Opportunity] = relationship()


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(12), default=RunOutcome.RUNNING.value)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    # The run that began the full pass this run belongs to (itself, for the first run of one).
    full_pass_of: Mapped[int | None] = mapped_column(Integer)
    # Opportunities still waiting to be read when the run ended (the backlog's size).
    behind: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # {"code-with-us": {"new": 1, "changed": 0, "unchanged": 4, "failed": 0}, "proposals": ...}
    counts: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    errors: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    http: Mapped[dict[str, int]] = mapped_column(JSONDocument, default=dict)


class QuarantinedRecord(Base):
    """A record the marketplace sent that the bridge could not read, kept whole to inspect."""

    __tablename__ = "quarantined_records"
    __table_args__ = (UniqueConstraint("record_kind", "record_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_kind: Mapped[str] = mapped_column(String(60))
    # The record's id, or a hash of its payload when it has no usable id.
    record_key: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    payload: Mapped[Any] = mapped_column(JSONDocument)
    error: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BacklogEntry(Base):
    """An opportunity a run listed but could not read (or store): read first by the next run,
    and counted as "behind" until it is."""

    __tablename__ = "sync_backlog"

    opportunity_id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    failures: Mapped[int] = mapped_column(Integer, default=1)


class ListBookmark(Base):
    """The last full list of a stream with its ETag, so a 304 still yields the items."""

    __tablename__ = "list_bookmarks"

    stream: Mapped[str] = mapped_column(String(60), primary_key=True)
    etag: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[Any]] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeEvent(Base):
    """A change later stages consume in id order (rules, approvals, exports)."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_opportunity", "opportunity_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    type: Mapped[str] = mapped_column(String(30), index=True)
    opportunity_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    opportunity_kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class EventCursor(Base):
    """How far one consumer has read the change events."""

    __tablename__ = "event_cursors"

    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
