"""The outbox: queued with what it tells about, sent at least once, retried with backoff, failed
visibly, sent again on request; and a bilingual message in one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.models import AuditEntry
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.notifications.delivery import (
    DeliveryFailed,
    OutgoingMessage,
    backoff,
    deliver_due,
    send_again,
)
from bridge.notifications.messages import Bilingual, Param, assemble, compose
from bridge.notifications.models import Notification
from bridge.notifications.outbox import enqueue
from tests.conftest import FIXED_NOW
from tests.notifications.conftest import RecordingNotifier

PARAMS: dict[str, Param] = {
    "title": "Accessible form",
    "step": Bilingual("Budget holder", "Gestionnaire du budget"),
    "department": Bilingual("Treasury Board", "Conseil du Trésor"),
}


def queue(sessions: sessionmaker[Session], *recipients: str, key: str = "1:1") -> int:
    with transaction(sessions) as session:
        return enqueue(
            session,
            "step_awaiting",
            recipients,
            PARAMS,
            key=key,
            path="/approvals/1",
            now=FIXED_NOW,
        )


def stored(sessions: sessionmaker[Session]) -> list[tuple[str, str, int]]:
    with sessions() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id))
        return [(item.recipient, item.status, item.attempts) for item in rows]


def test_one_message_carries_both_languages() -> None:
    subject, body = assemble(compose("step_awaiting", PARAMS), "https://bridge.example/a/1")
    assert (
        subject == "Approval needed: Accessible form / Approbation requise\u00a0: Accessible form"
    )
    english, french = body.split("\n\n---\n\n")
    assert english.startswith("(La version française suit.)")
    assert "“Budget holder” of Treasury Board" in english
    assert "«\u00a0Gestionnaire du budget\u00a0» (Conseil du Trésor)" in french  # no article
    assert english.endswith("https://bridge.example/a/1") and french.endswith("/a/1")


def test_a_replayed_event_tells_nobody_twice(sessions: sessionmaker[Session]) -> None:
    assert queue(sessions, "A@example.gc.ca", "b@example.gc.ca", "a@example.gc.ca") == 2
    assert queue(sessions, "a@example.gc.ca") == 0
    assert queue(sessions, "a@example.gc.ca", key="1:2") == 1  # another event


def test_sent_with_the_panel_link_and_audited(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "a@example.gc.ca")
    notifier = RecordingNotifier()
    report = deliver_due(
        sessions, notifier, max_attempts=3, panel_url="https://bridge.example/", now=FIXED_NOW
    )
    assert report.sent == 1
    message = notifier.sent[0]
    assert message.fields["link"] == "https://bridge.example/approvals/1"
    assert message.fields["subject"] == message.subject and "body_fr" in message.fields
    assert stored(sessions) == [("a@example.gc.ca", "sent", 1)]
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "notification.sent" in actions
    assert deliver_due(sessions, notifier, max_attempts=3, now=FIXED_NOW).sent == 0


def test_failures_are_retried_with_backoff_then_marked_failed_and_sent_again_on_request(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "a@example.gc.ca")
    notifier = RecordingNotifier(failures=[DeliveryFailed("busy") for _ in range(3)])
    now = FIXED_NOW
    assert deliver_due(sessions, notifier, max_attempts=3, now=now).retrying == 1
    assert deliver_due(sessions, notifier, max_attempts=3, now=now).retrying == 0  # not yet due
    now += backoff(1)
    assert deliver_due(sessions, notifier, max_attempts=3, now=now).retrying == 1
    now += backoff(2)
    report = deliver_due(sessions, notifier, max_attempts=3, now=now)
    assert report.failed == 1 and report.errors == ["step_awaiting to a@example.gc.ca: busy"]
    assert stored(sessions) == [("a@example.gc.ca", "failed", 3)]
    with sessions() as session:
        assert session.scalars(select(Notification.last_error)).one() == "busy"
    with transaction(sessions) as session:
        notification_id = session.scalars(select(Notification.id)).one()
        send_again(session, notification_id, Actor.job("test"), now=now)
    assert deliver_due(sessions, notifier, max_attempts=3, now=now).sent == 1


def test_a_permanent_failure_is_not_retried(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "nobody@example.gc.ca")
    notifier = RecordingNotifier(failures=[DeliveryFailed("no such mailbox", permanent=True)])
    assert deliver_due(sessions, notifier, max_attempts=5, now=FIXED_NOW).failed == 1


def test_a_delivery_that_died_mid_send_is_sent_after_its_lease(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(sessions, "a@example.gc.ca")
    notifier = RecordingNotifier()

    def dies(*_: object, **__: object) -> None:
        raise KeyboardInterrupt  # the process stops after the notifier accepted the message

    monkeypatch.setattr("bridge.notifications.delivery._sent", dies)
    with pytest.raises(KeyboardInterrupt):
        deliver_due(sessions, notifier, max_attempts=3, now=FIXED_NOW)
    monkeypatch.undo()
    assert deliver_due(sessions, notifier, max_attempts=3, now=FIXED_NOW).sent == 0  # leased
    later = FIXED_NOW + timedelta(minutes=6)
    assert deliver_due(sessions, notifier, max_attempts=3, now=later).sent == 1
    assert len(notifier.sent) == 2  # at least once: the receiver tells them apart by reference
    assert notifier.sent[0].reference == notifier.sent[1].reference


def test_a_message_the_notifier_cannot_handle_fails_alone_and_the_others_are_sent(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "a@example.gc.ca", "b@example.gc.ca", "c@example.gc.ca")

    class Choking(RecordingNotifier):
        def send(self, message: OutgoingMessage) -> str | None:
            if message.recipient == "a@example.gc.ca":
                raise ValueError("Header values may not contain linefeed or carriage return")
            return super().send(message)

    notifier = Choking()
    report = deliver_due(sessions, notifier, max_attempts=3, now=FIXED_NOW)
    assert (report.sent, report.retrying) == (2, 1)
    assert "ValueError" in report.errors[0]
    assert [sent.recipient for sent in notifier.sent] == ["b@example.gc.ca", "c@example.gc.ca"]
    assert stored(sessions)[0] == ("a@example.gc.ca", "pending", 1)  # to be tried again
