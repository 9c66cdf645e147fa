"""Audit entries: each carries the hash of the one before, so any edit breaks the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, event, false
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.base import Base, JSONDocument
from bridge.db.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # "user:<id>" for a person, "job:<name>" for a scheduled or command-line job.
    actor: Mapped[str] = mapped_column(String(120), index=True)
    actor_name: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # Unique: two writers racing for the same predecessor cannot both append.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # An HMAC under the key kept outside the database; false for entries from before that key.
    keyed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())


class AppendOnlyViolation(Exception):
    """Something tried to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(*_: Any) -> None:
    raise AppendOnlyViolation("audit entries are never changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(*_: Any) -> None:
    raise AppendOnlyViolation("audit entries are never deleted")
