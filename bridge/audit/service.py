"""Writing to and checking the audit chain.

``record`` appends inside the caller's transaction, so an audited change and its entry commit
together or not at all. ``verify`` recomputes every hash: an entry edited, deleted or inserted
out of band shows up as the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.audit.models import GENESIS_HASH, AuditEntry
from bridge.clock import utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: a panel user or a job."""

    key: str
    name: str

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls(key=f"job:{name}", name=name)

    @classmethod
    def user(cls, user_id: int, name: str) -> Actor:
        return cls(key=f"user:{user_id}", name=name)


def entry_hash(
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    actor_name: str,
    action: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
) -> str:
    document = {
        "prev": prev_hash,
        "at": occurred_at.isoformat(),
        "actor": [actor, actor_name],
        "action": action,
        "target": [target_type, target_id],
        "before": before,
        "after": after,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def last_hash(session: Session) -> str:
    latest = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return latest or GENESIS_HASH


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry after the current last one (in the caller's transaction)."""
    occurred_at = (now or utcnow()).replace(microsecond=0)
    before, after = _jsonable(before), _jsonable(after)
    prev = last_hash(session)
    entry = AuditEntry(
        occurred_at=occurred_at,
        actor=actor.key,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
        prev_hash=prev,
        hash=entry_hash(
            prev,
            occurred_at,
            actor.key,
            actor.name,
            action,
            target_type,
            str(target_id),
            before,
            after,
        ),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify(session: Session) -> ChainBreak | None:
    """The first broken link of the chain, or ``None`` when every entry checks out."""
    expected_prev = GENESIS_HASH
    for entry in _entries(session):
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.id, "does not follow the entry before it")
        recomputed = entry_hash(
            entry.prev_hash,
            entry.occurred_at,
            entry.actor,
            entry.actor_name,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.before,
            entry.after,
        )
        if recomputed != entry.hash:
            return ChainBreak(entry.id, "its content was changed after it was written")
        expected_prev = entry.hash
    return None


def _entries(session: Session) -> Iterator[AuditEntry]:
    yield from session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=500)
    )


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Round-trip through JSON so the hash is computed on exactly what the database keeps."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result
