"""Sending what waits in the outbox through the configured notifier, with retries.

A message is claimed (its next attempt pushed a lease ahead) before it is sent, so two delivery
jobs never send it at once and one that dies mid-send leaves it to be tried again after the
lease. Delivery is therefore at least once: a crash between a notifier's acceptance and the
bookkeeping sends that one message again, which for a notice is better than losing it. The
notifier is given the outbox id as its reference, where it takes one, to tell the two apart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.notifications.messages import assemble
from bridge.notifications.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a notifier sends it."""

    kind: str
    recipient: str
    subject: str
    body: str
    # Every field of the message, for notifiers that fill a template (GC Notify).
    fields: dict[str, str]
    reference: str


class DeliveryFailed(Exception):
    """The notifier could not send; ``permanent`` when trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Notifier(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> str | None:
        """Send, or raise ``DeliveryFailed``; the notifier's own id for the message, if any."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after the attempts so far, at most six hours."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


def _link(panel_url: str | None, path: str | None) -> str | None:
    if not path:
        return None
    return f"{panel_url.rstrip('/')}{path}" if panel_url else path


def _claim(
    sessions: sessionmaker[Session], now: datetime, limit: int
) -> list[tuple[int, str, str, dict[str, str]]]:
    with transaction(sessions) as session:
        due = list(
            session.scalars(
                select(Notification)
                .where(
                    Notification.status == NotificationStatus.PENDING.value,
                    Notification.next_attempt_at <= now,
                )
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for notification in due:
            notification.attempts += 1
            notification.next_attempt_at = now + LEASE
        return [(item.id, item.kind, item.recipient, dict(item.fields)) for item in due]


def _outgoing(
    claimed: tuple[int, str, str, dict[str, str]], panel_url: str | None
) -> OutgoingMessage:
    notification_id, kind, recipient, stored = claimed
    link = _link(panel_url, stored.get("path"))
    subject, body = assemble(stored, link)
    fields = {**stored, "subject": subject, "body": body, "link": link or ""}
    return OutgoingMessage(kind, recipient, subject, body, fields, str(notification_id))


def deliver_due(
    sessions: sessionmaker[Session],
    notifier: Notifier,
    *,
    max_attempts: int,
    panel_url: str | None = None,
    now: datetime | None = None,
    limit: int = 100,
) -> DeliveryReport:
    """Send every message due now; each outcome is written as soon as it is known."""
    now = now or utcnow()
    report = DeliveryReport()
    for claimed in _claim(sessions, now, limit):
        message = _outgoing(claimed, panel_url)
        try:
            reference = notifier.send(message)
        except Exception as error:  # one message that cannot be sent never stops the others
            failure = _as_failure(error, message)
            final = _failed(
                sessions, int(message.reference), str(failure), failure.permanent, max_attempts, now
            )
            report.errors.append(f"{message.kind} to {message.recipient}: {failure}")
            if final:
                report.failed += 1
            else:
                report.retrying += 1
            continue
        _sent(sessions, int(message.reference), reference, notifier.name, now)
        report.sent += 1
    return report


def _as_failure(error: Exception, message: OutgoingMessage) -> DeliveryFailed:
    """A notifier's own failure as it is; anything else it raised as a failure of this message
    alone, retried like a transient one (and logged whole: it is a notifier's bug to fix)."""
    if isinstance(error, DeliveryFailed):
        return error
    log.error("sending %s %s failed unexpectedly", message.kind, message.reference, exc_info=error)
    return DeliveryFailed(f"{type(error).__name__}: {error}")


def _sent(
    sessions: sessionmaker[Session],
    notification_id: int,
    reference: str | None,
    notifier: str,
    now: datetime,
) -> None:
    with transaction(sessions) as session:
        notification = session.get(Notification, notification_id)
        assert notification is not None
        notification.status, notification.sent_at = NotificationStatus.SENT.value, now
        notification.reference, notification.last_error = reference, None
        record(
            session,
            Actor.job("notifications"),
            "notification.sent",
            "notification",
            notification_id,
            now=now,
            after={
                "kind": notification.kind,
                "notifier": notifier,
                "recipient": notification.recipient,
                "reference": reference,
            },
        )


def _failed(
    sessions: sessionmaker[Session],
    notification_id: int,
    error: str,
    permanent: bool,
    max_attempts: int,
    now: datetime,
) -> bool:
    """Record a failed attempt; True when the message will not be tried again."""
    with transaction(sessions) as session:
        notification = session.get(Notification, notification_id)
        assert notification is not None
        notification.last_error = error
        final = permanent or notification.attempts >= max_attempts
        if final:
            notification.status = NotificationStatus.FAILED.value
            details = {
                "kind": notification.kind,
                "error": error,
                "recipient": notification.recipient,
                "attempts": notification.attempts,
            }
            record(
                session,
                Actor.job("notifications"),
                "notification.failed",
                "notification",
                notification_id,
                now=now,
                after=details,
            )
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
        log.warning("notification %s (%s) not sent: %s", notification_id, notification.kind, error)
        return final


def send_again(
    session: Session, notification_id: int, actor: Actor, now: datetime | None = None
) -> Notification:
    """An administrator's retry of a failed message: a fresh series of attempts."""
    now = now or utcnow()
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise LookupError(notification_id)
    notification.status = NotificationStatus.PENDING.value
    notification.attempts, notification.next_attempt_at = 0, now
    record(
        session,
        actor,
        "notification.retried",
        "notification",
        notification_id,
        now=now,
        after={"kind": notification.kind, "recipient": notification.recipient},
    )
    return notification
