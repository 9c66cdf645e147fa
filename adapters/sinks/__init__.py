"""Where award records go: a directory, an HTTPS webhook, e-mail to procurement staff."""

from __future__ import annotations

from adapters.sinks.directory import DirectorySink
from adapters.sinks.email import EmailSink
from adapters.sinks.webhook import WebhookSink
from bridge.exports.delivery import Sink
from bridge.notifications.delivery import Notifier
from bridge.settings import Settings


def sinks_from_settings(settings: Settings, notifier: Notifier) -> list[Sink]:
    """The configured sinks; one that lacks its settings stops with the variable to set."""
    settings.require_export_sinks()
    sinks: list[Sink] = []
    for name in settings.export_sinks:
        if name == "directory":
            sinks.append(DirectorySink(settings.export_directory))
        elif name == "webhook":
            assert settings.export_webhook_url and settings.export_webhook_secret
            sinks.append(
                WebhookSink(
                    str(settings.export_webhook_url),
                    settings.export_webhook_secret.get_secret_value().encode(),
                    timeout=settings.http_timeout_seconds,
                )
            )
        else:
            sinks.append(EmailSink(notifier, settings.export_email_recipients))
    return sinks
