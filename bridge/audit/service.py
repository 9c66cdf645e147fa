"""Writing to and checking the audit chain.

``record`` appends inside the caller's transaction, so an audited change and its entry commit
together or not at all. ``verify`` recomputes every hash: an entry edited, deleted or inserted
out of band shows up as the first broken link, and newest entries deleted show against the head
kept outside the database (``keeping``). Hashes are HMACs under a key the database does not
hold; entries written before the chain was keyed keep their plain SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.audit.keeping import Head, keeping, read_head, remember_head
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

    @classmethod
    def visitor(cls, address: str) -> Actor:
        """Someone not signed in, known only by the address the request came from."""
        return cls(key=f"address:{address}"[:120], name=address)


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
    *,
    keyed: bool = True,
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
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()
    if not keyed:  # an entry from before the chain was keyed
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(keeping().key, canonical, hashlib.sha256).hexdigest()


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
        keyed=True,
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
    remember_head(session, Head(entry.id, entry.hash))
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify(session: Session) -> ChainBreak | None:
    """The first broken link of the chain, or ``None`` when every entry checks out and the
    chain still reaches the head written outside the database."""
    expected_prev = GENESIS_HASH
    last: AuditEntry | None = None
    head = read_head()
    for entry in _entries(session):
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.id, "does not follow the entry before it")
        if last is not None and last.keyed and not entry.keyed:
            return ChainBreak(entry.id, "it is not keyed, and follows a keyed entry")
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
            keyed=entry.keyed,
        )
        if recomputed != entry.hash:
            return ChainBreak(entry.id, "its content was changed after it was written")
        if head is not None and entry.id == head.entry_id and entry.hash != head.hash:
            return ChainBreak(
                entry.id, "it is not the entry the chain's head outside the database names"
            )
        expected_prev, last = entry.hash, entry
    if head is not None and (last is None or last.id < head.entry_id):
        return ChainBreak(
            head.entry_id,
            "the newest entries are missing: the chain's head outside the database goes further",
        )
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
