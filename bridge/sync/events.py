"""Reading the change events in order, once per consumer (rules, approvals, exports).

Each consumer keeps a cursor. A batch is taken and the cursor moved past it in the caller's
transaction, together with whatever the consumer writes, so a crash re-reads the batch rather
than skipping it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.sync.models import ChangeEvent, EventCursor, Opportunity


def next_batch(
    session: Session, consumer: str, limit: int, *, following: str | None = None
) -> list[ChangeEvent]:
    """The consumer's next events, oldest first; its cursor now stands after them.

    With ``following``, only events that consumer has already taken: a consumer that needs
    another's work on the same changes (approvals need the rules' findings) never overtakes
    it, even while both drain as a sync goes on writing."""
    cursor = session.get(EventCursor, consumer)
    if cursor is None:
        cursor = EventCursor(consumer=consumer, last_event_id=0)
        session.add(cursor)
    query = select(ChangeEvent).where(ChangeEvent.id > cursor.last_event_id)
    if following is not None:
        leader = session.get(EventCursor, following)
        query = query.where(ChangeEvent.id <= (leader.last_event_id if leader else 0))
    events = list(session.scalars(query.order_by(ChangeEvent.id).limit(limit)))
    if events:
        cursor.last_event_id, cursor.updated_at = events[-1].id, utcnow()
    return events


def opportunities_of(
    session: Session, events: list[ChangeEvent], *criteria: ColumnElement[bool]
) -> dict[str, Opportunity]:
    """The opportunities a batch of events is about, by id, read in one query; with
    ``criteria``, only those that meet them (the others are never decoded).

    A consumer that fetched them one event at a time paid a query and its row decoding for
    each of a first sync's thousands of events: a second of the run on two cores."""
    ids = {event.opportunity_id for event in events}
    if not ids:
        return {}
    found = session.scalars(select(Opportunity).where(Opportunity.id.in_(ids), *criteria))
    return {opportunity.id: opportunity for opportunity in found}


def drain(sessions: sessionmaker[Session], consume: Callable[[Session], int]) -> int:
    """Run ``consume`` (which returns the events it took) one transaction per batch, until none
    are left; the number of events consumed."""
    total = 0
    while True:
        with transaction(sessions) as session:
            consumed = consume(session)
        if not consumed:
            return total
        total += consumed
