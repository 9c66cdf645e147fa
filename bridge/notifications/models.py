"""The notification outbox.

A message is written in the same transaction as what it tells about (a decision, an alert), and
sent afterwards by the delivery job. So a slow or failing notifier never blocks a decision, and a
crash between the two loses nothing: the message waits in the outbox.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import UTCDateTime


class NotificationStatus(StrEnum):
    PENDING = "pending"  # not tried yet, or waiting for its next attempt
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; an administrator may send it again


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # What it is about, e.g. "step_awaiting"; names the message and the GC Notify template.
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(Text)
    # The same event never tells the same person twice (a replayed batch, a second reminder).
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The message's fields (subject and body in each language, the link, the names).
    fields: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(12), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The notifier's own reference (a GC Notify id, a Message-ID).
    reference: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
