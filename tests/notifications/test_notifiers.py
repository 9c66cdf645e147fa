"""The notifiers at their boundaries: a real local SMTP server (aiosmtpd) and GC Notify's API
mocked with ``responses`` (its client signs each request with a JWT, checked here)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import jwt
import pytest
import responses
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from adapters.notifiers.gc_notify import GCNotifyNotifier
from adapters.notifiers.smtp import SMTPNotifier
from adapters.registry import notifier_from_settings
from bridge.notifications.delivery import DeliveryFailed, OutgoingMessage
from bridge.notifications.messages import Bilingual, assemble, compose
from bridge.settings import SettingsError, load_settings

SERVICE_ID = "2b5d3b36-3f4f-4ef8-9a6b-0c8a1c1f2a10"
SECRET = "5a0e9d4e-6a9f-4d86-9c67-1b0e2f3a4b5c"
API_KEY = f"bridge-{SERVICE_ID}-{SECRET}"
TEMPLATE = "f0e1d2c3-b4a5-4968-8776-655443322110"
NOTIFY = "https://notify.test"


def message(recipient: str = "approver@tbs-sct.gc.ca") -> OutgoingMessage:
    fields = compose(
        "step_awaiting",
        {
            "title": "Accessible form",
            "step": Bilingual("A", "B"),
            "department": Bilingual("TBS", "SCT"),
        },
    )
    subject, body = assemble(fields, "https://bridge.example/approvals/7")
    return OutgoingMessage(
        "step_awaiting",
        recipient,
        subject,
        body,
        {**fields, "subject": subject, "body": body},
        "42",
    )


class Inbox:
    def __init__(self, refuse: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = refuse

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox(refuse="gone@tbs-sct.gc.ca")
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_smtp_delivers_one_bilingual_message(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    notifier = SMTPNotifier("127.0.0.1", port, "bridge@tbs-sct.gc.ca", timeout=5)
    reference = notifier.send(message())
    [received] = handler.messages
    assert received["To"] == "approver@tbs-sct.gc.ca"
    assert received["Subject"].startswith("Approval needed: Accessible form / Approbation")
    assert reference is not None and "notification-42" in reference
    assert received["Message-ID"] == reference
    text = received.get_content()
    assert "awaits your decision" in text and "attend votre décision" in text


def test_smtp_refusals_and_outages(inbox: tuple[Inbox, int]) -> None:
    _, port = inbox
    with pytest.raises(DeliveryFailed) as refused:
        SMTPNotifier("127.0.0.1", port, "bridge@tbs-sct.gc.ca").send(message("gone@tbs-sct.gc.ca"))
    assert refused.value.permanent
    with pytest.raises(DeliveryFailed) as down:
        SMTPNotifier("127.0.0.1", free_port(), "bridge@tbs-sct.gc.ca", timeout=2).send(message())
    assert not down.value.permanent


def test_smtp_sends_a_title_with_a_line_break_on_one_subject_line(
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    poisoned = replace(message(), subject="Approval needed: Form\r\nBcc: x@evil.test\n fix")
    SMTPNotifier("127.0.0.1", port, "bridge@tbs-sct.gc.ca", timeout=5).send(poisoned)
    [received] = handler.messages
    assert received["Subject"] == "Approval needed: Form Bcc: x@evil.test fix"
    assert received["Bcc"] is None


def test_smtp_refuses_a_recipient_with_a_line_break_for_good(inbox: tuple[Inbox, int]) -> None:
    _, port = inbox
    with pytest.raises(DeliveryFailed) as refused:
        SMTPNotifier("127.0.0.1", port, "b@tbs-sct.gc.ca").send(message("a@tbs-sct.gc.ca\nBcc: x"))
    assert refused.value.permanent


def gc_notify() -> GCNotifyNotifier:
    settings = load_settings(
        {},
        notifier="gc-notify",
        gc_notify_api_key=API_KEY,
        gc_notify_template_id=TEMPLATE,
        gc_notify_api_url=NOTIFY,
        gc_notify_templates={"reminder": "other-template"},
    )
    notifier = notifier_from_settings(settings)
    assert isinstance(notifier, GCNotifyNotifier)
    return notifier


@responses.activate
def test_gc_notify_gets_the_template_fields_and_a_signed_request() -> None:
    responses.post(
        f"{NOTIFY}/v2/notifications/email",
        status=201,
        json={"id": "notify-id-1", "reference": "gc-bridge-42"},
    )
    assert gc_notify().send(message()) == "notify-id-1"
    call = responses.calls[0].request
    body = json.loads(call.body or b"{}")
    assert body["email_address"] == "approver@tbs-sct.gc.ca"
    assert body["template_id"] == TEMPLATE and body["reference"] == "gc-bridge-42"
    personalisation = body["personalisation"]
    assert "/ Approbation requise" in personalisation["subject"]
    assert personalisation["body_fr"].startswith("L'\u00e9tape «\u00a0B\u00a0» (SCT)")
    token = call.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "a different secret, also thirty-two bytes", algorithms=["HS256"])


@responses.activate
@pytest.mark.parametrize(
    ("status", "permanent"), [(400, True), (403, True), (429, False), (500, False)]
)
def test_gc_notify_errors_say_whether_to_try_again(status: int, permanent: bool) -> None:
    responses.post(
        f"{NOTIFY}/v2/notifications/email",
        status=status,
        json={"errors": [{"error": "BadRequestError", "message": "nope"}], "status_code": status},
    )
    with pytest.raises(DeliveryFailed) as failed:
        gc_notify().send(message())
    assert failed.value.permanent is permanent and str(status) in str(failed.value)


def test_gc_notify_without_its_key_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="BRIDGE_GC_NOTIFY_API_KEY"):
        notifier_from_settings(load_settings({}, notifier="gc-notify"))


def test_smtp_never_sends_its_password_without_starttls(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    notifier = SMTPNotifier("127.0.0.1", port, "b@tbs-sct.gc.ca", username="u", password="p")
    with pytest.raises(DeliveryFailed) as refused:
        notifier.send(message())
    assert refused.value.permanent and handler.messages == []
