"""E-mail through an SMTP server (a department relay), one plain-text bilingual message each."""

from __future__ import annotations

import re
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

from bridge.notifications.delivery import DeliveryFailed, OutgoingMessage
from bridge.settings import Settings

# CRLF line ends, and headers left whole up to RFC 5322's limit rather than folded at 78.
WIRE = policy.SMTP.clone(max_line_length=998)
# Control characters (CR and LF among them) have no place in a header: a subject made from a
# marketplace title with a line break would otherwise end the header, or fail to build.
CONTROL = re.compile(r"\s*[\x00-\x1f\x7f]+\s*")


def header_text(value: str) -> str:
    """``value`` on one line: each run of control characters becomes one space."""
    return CONTROL.sub(" ", value).strip()


class SMTPNotifier:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 20.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SMTPNotifier:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
        )

    def send(self, message: OutgoingMessage) -> str | None:
        if self.username and not self.starttls:
            raise DeliveryFailed("the SMTP password is never sent without STARTTLS", permanent=True)
        if CONTROL.search(message.recipient):
            raise DeliveryFailed(f"not an address: {message.recipient!r}", permanent=True)
        try:
            email = self._build(message)
        except (ValueError, TypeError) as exc:  # what header building refuses is final
            raise DeliveryFailed(f"the message cannot be built: {exc}", permanent=True) from exc
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.username:
                    server.login(self.username, self.password)
                server.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"address refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx answers are final (bad mailbox, policy); 4xx are the server asking for later.
            raise DeliveryFailed(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP server unreachable: {exc}") from exc
        return str(email["Message-ID"])

    def _build(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage(policy=WIRE)
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = header_text(message.subject)
        domain = self.sender.rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(
            idstring=f"notification-{message.reference}", domain=domain
        )
        email["Content-Language"] = "en, fr"
        email.set_content(message.body)
        return email
