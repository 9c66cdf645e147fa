"""What the bridge exported, and the outbox of deliveries to each sink.

An award's record is kept with a fingerprint; when the record changes (an amendment, a
correction, a termination) its revision goes up and every sink gets a corrective delivery. Each
delivery carries an idempotency key (sink, award, revision) that receivers use to drop repeats.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import UTCDateTime


class DeliveryKind(StrEnum):
    """What a delivery carries; sinks put each kind in batches of its own."""

    AWARD_RECORD = "award_record"
    PAYMENT_REQUISITION = "payment_requisition"
    OUTCOMES = "outcomes"  # a fiscal quarter's aggregate outcome figures, as open data


class DeliveryState(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"  # every attempt failed; an administrator may try again


class ExportedAward(Base):
    """The last record built for an award, and the coding procurement staff set on it."""

    __tablename__ = "exported_awards"

    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("awards.opportunity_id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # Field id → code, over the shipped defaults (config/exports.toml).
    coding: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    # Why no record could be built (e.g. no department yet); cleared once one is.
    problem: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    __tablename__ = "export_deliveries"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_export_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(
        String(20),
        default=DeliveryKind.AWARD_RECORD.value,
        server_default=DeliveryKind.AWARD_RECORD.value,
    )
    opportunity_id: Mapped[str] = mapped_column(String(36), index=True)
    # The record's revision; for a requisition, its number under the contract.
    revision: Mapped[int] = mapped_column(Integer)
    sink: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    # What the sink receives: the record, its OCDS releases and disclosure rows.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    state: Mapped[str] = mapped_column(String(12), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Claimed deliveries keep their batch across retries, so a retried batch is the same file.
    batch: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
