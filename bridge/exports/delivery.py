"""Sending the outbox to the sinks: claimed in batches, marked one by one, retried with backoff.

A batch is claimed (attempt counted, next attempt pushed a lease ahead, batch name fixed) before
anything is sent. A crash after the sink took the batch and before the marking leaves it claimed
under the same name: the retry sends the same batch again, with the same idempotency keys, so a
directory receives the same file (the same bytes under the same name) and a webhook receiver
drops the repeat by its key. Nothing is lost and nothing takes effect twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.exports.models import Delivery, DeliveryKind, DeliveryState
from bridge.notifications.delivery import backoff

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
DUE = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)


@dataclass(frozen=True)
class Item:
    """One delivery as a sink sees it."""

    delivery_id: int
    idempotency_key: str
    payload: dict[str, Any]
    kind: str = DeliveryKind.AWARD_RECORD.value


class SinkFailed(Exception):
    """The sink did not take the batch (or this item of it)."""


class Sink(Protocol):
    name: str

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        """Deliver; per delivery id, ``None`` when delivered or the error. Raises
        ``SinkFailed`` when the whole batch failed."""


@runtime_checkable
class PackageKeeper(Protocol):
    """A sink that also keeps the OCDS packages of every record (a directory does; a webhook
    or a mailbox takes deliveries only)."""

    def keep_packages(self, files: dict[str, bytes]) -> None:
        """Replace the packages with these (file name → bytes). Raises ``SinkFailed``."""


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


# How a batch of each kind is named after its sink: award records plainly, as before.
BATCH_PREFIX = {
    DeliveryKind.AWARD_RECORD.value: "",
    DeliveryKind.PAYMENT_REQUISITION.value: "-requisitions",
    DeliveryKind.OUTCOMES.value: "-outcomes",
}


def _batch_name(sink: str, kind: str, ids: list[int], now: datetime) -> str:
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:12]
    return f"{sink}{BATCH_PREFIX[kind]}-{now:%Y%m%dT%H%M%S}-{digest}"


def claim(
    sessions: sessionmaker[Session], sink: str, now: datetime, limit: int
) -> dict[str, list[Item]]:
    """Due deliveries of ``sink`` by batch, a batch per kind: a retried batch keeps its name and
    contents."""
    with transaction(sessions) as session:
        due = list(
            session.scalars(
                select(Delivery)
                .where(
                    Delivery.sink == sink, Delivery.state.in_(DUE), Delivery.next_attempt_at <= now
                )
                .order_by(Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        fresh: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in due:
            if delivery.batch is None:
                fresh[delivery.kind].append(delivery)
        for kind, deliveries in fresh.items():
            name = _batch_name(sink, kind, [delivery.id for delivery in deliveries], now)
            for delivery in deliveries:
                delivery.batch = name
        batches: dict[str, list[Item]] = defaultdict(list)
        for delivery in due:
            delivery.attempts += 1
            delivery.next_attempt_at = now + LEASE
            assert delivery.batch is not None
            batches[delivery.batch].append(
                Item(delivery.id, delivery.idempotency_key, dict(delivery.payload), delivery.kind)
            )
        return dict(batches)


def deliver_due(
    sessions: sessionmaker[Session],
    sinks: list[Sink],
    *,
    max_attempts: int,
    now: datetime | None = None,
    limit: int = 200,
) -> DeliveryReport:
    """Send what is due to every sink; each outcome is written as soon as it is known."""
    now = now or utcnow()
    report = DeliveryReport()
    for sink in sinks:
        for batch, items in claim(sessions, sink.name, now, limit).items():
            try:
                outcomes = sink.deliver(batch, items)
            except SinkFailed as failure:
                outcomes = {item.delivery_id: str(failure) for item in items}
            _record(sessions, outcomes, max_attempts, now, report)
    return report


def _record(
    sessions: sessionmaker[Session],
    outcomes: dict[int, str | None],
    max_attempts: int,
    now: datetime,
    report: DeliveryReport,
) -> None:
    with transaction(sessions) as session:
        for delivery_id, error in sorted(outcomes.items()):
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            if error is None:
                delivery.state, delivery.delivered_at = DeliveryState.DELIVERED.value, now
                delivery.last_error = None
                report.delivered += 1
                action = "export.delivered"
            else:
                delivery.last_error = error
                report.errors.append(f"{delivery.idempotency_key}: {error}")
                if delivery.attempts >= max_attempts:
                    delivery.state = DeliveryState.DEAD.value
                    report.dead += 1
                    action = "export.dead"
                else:
                    delivery.state = DeliveryState.RETRYING.value
                    delivery.next_attempt_at = now + backoff(delivery.attempts)
                    report.retrying += 1
                    continue
            record(
                session,
                Actor.job("exports"),
                action,
                "delivery",
                delivery.id,
                now=now,
                after={
                    "key": delivery.idempotency_key,
                    "batch": delivery.batch,
                    "error": delivery.last_error,
                },
            )


def try_again(
    session: Session, delivery_id: int, actor: Actor, now: datetime | None = None
) -> Delivery:
    """An administrator's retry of a dead delivery: a fresh series of attempts."""
    now = now or utcnow()
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.DEAD.value:
        raise LookupError(delivery_id)
    delivery.state, delivery.attempts, delivery.next_attempt_at = (
        DeliveryState.RETRYING.value,
        0,
        now,
    )
    record(
        session,
        actor,
        "export.retried",
        "delivery",
        delivery_id,
        now=now,
        after={"key": delivery.idempotency_key},
    )
    return delivery
