"""Writing messages into the outbox, inside the transaction of what they tell about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clock import utcnow
from bridge.notifications.messages import Param, compose
from bridge.notifications.models import Notification


def enqueue(
    session: Session,
    kind: str,
    recipients: Iterable[str],
    params: Mapping[str, Param],
    *,
    key: str,
    path: str | None = None,
    now: datetime | None = None,
) -> int:
    """Queue one message per recipient; ``key`` names the event, so a replay adds nothing.

    ``path`` is the panel page the message links to (the panel's address is added when sent).
    Returns the number of messages queued.
    """
    now = now or utcnow()
    addresses = sorted({address.strip().lower() for address in recipients if address.strip()})
    if not addresses:
        return 0
    keys = {address: f"{kind}:{key}:{address}" for address in addresses}
    known = set(
        session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys.values()))
        )
    )
    fields = compose(kind, params) | ({"path": path} if path else {})
    queued = 0
    for address, dedupe_key in keys.items():
        if dedupe_key in known:
            continue
        session.add(
            Notification(
                kind=kind,
                recipient=address,
                dedupe_key=dedupe_key,
                fields=fields,
                created_at=now,
                next_attempt_at=now,
            )
        )
        queued += 1
    session.flush()
    return queued
