"""The notifiers: where the bridge's messages go (the log, an SMTP server, GC Notify)."""

from __future__ import annotations

from adapters.notifiers.gc_notify import GCNotifyNotifier
from adapters.notifiers.log import LogNotifier
from adapters.notifiers.smtp import SMTPNotifier
from bridge.notifications.delivery import Notifier
from bridge.settings import Settings


def notifier_from_settings(settings: Settings) -> Notifier:
    """The notifier the settings choose; a missing GC Notify key stops with its variable."""
    settings.require_notifier()
    if settings.notifier == "smtp":
        return SMTPNotifier.from_settings(settings)
    if settings.notifier == "gc-notify":
        return GCNotifyNotifier.from_settings(settings)
    return LogNotifier()
