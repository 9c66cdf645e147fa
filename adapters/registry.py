"""Every adapter, found by the name the settings give it.

The domain defines the ports (``Rule``, ``Sink``, ``Notifier``) and never imports an adapter; the
top of the bridge (the jobs, the command line, the panel) asks this registry for the adapters the
settings name. Adding one is an entry here and its name among the setting's choices, which a
test keeps equal to these keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from bridge.exports.delivery import Sink
from bridge.notifications.delivery import Notifier
from bridge.rules.interface import Rule
from bridge.rules.pipeline import RulePipeline
from bridge.settings import Settings

# Each adapter is imported when it is made, not with the registry: a command starts without
# loading GC Notify's client or the rules' language detector it may never use.


def _log(_settings: Settings) -> Notifier:
    from adapters.notifiers.log import LogNotifier

    return LogNotifier()


def _smtp(settings: Settings) -> Notifier:
    from adapters.notifiers.smtp import SMTPNotifier

    return SMTPNotifier.from_settings(settings)


def _gc_notify(settings: Settings) -> Notifier:
    from adapters.notifiers.gc_notify import GCNotifyNotifier

    return GCNotifyNotifier.from_settings(settings)


def _directory(settings: Settings, _notifier: Notifier) -> Sink:
    from adapters.sinks.directory import DirectorySink

    return DirectorySink(settings.export_directory)


def _webhook(settings: Settings, _notifier: Notifier) -> Sink:
    from adapters.sinks.webhook import WebhookSink

    url, secret = settings.export_webhook_url, settings.export_webhook_secret
    assert url and secret  # require_export_sinks checked them
    return WebhookSink(
        str(url), secret.get_secret_value().encode(), timeout=settings.http_timeout_seconds
    )


def _email(settings: Settings, notifier: Notifier) -> Sink:
    from adapters.sinks.email import EmailSink

    return EmailSink(notifier, settings.export_email_recipients)


def _bilingual() -> Rule:
    from adapters.rules.bilingual import BilingualRule

    return BilingualRule()


def _value_cap() -> Rule:
    from adapters.rules.value_cap import ValueCapRule

    return ValueCapRule()


def _splitting() -> Rule:
    from adapters.rules.splitting import SplittingRule

    return SplittingRule()


NOTIFIERS: Final[Mapping[str, Callable[[Settings], Notifier]]] = {
    "log": _log,
    "smtp": _smtp,
    "gc-notify": _gc_notify,
}
SINKS: Final[Mapping[str, Callable[[Settings, Notifier], Sink]]] = {
    "directory": _directory,
    "webhook": _webhook,
    "email": _email,
}
# In the order their findings are listed when they are equally severe.
RULES: Final[Mapping[str, Callable[[], Rule]]] = {
    "bilingual": _bilingual,
    "value_cap": _value_cap,
    "splitting": _splitting,
}


def notifier_from_settings(settings: Settings) -> Notifier:
    """The notifier the settings choose; a missing GC Notify key stops with its variable."""
    settings.require_notifier()
    return NOTIFIERS[settings.notifier](settings)


def sinks_from_settings(settings: Settings, notifier: Notifier) -> list[Sink]:
    """The configured sinks; one that lacks its settings stops with the variable to set."""
    settings.require_export_sinks()
    return [SINKS[name](settings, notifier) for name in settings.export_sinks]


def rule_pipeline() -> RulePipeline:
    """The pipeline with every GC rule."""
    return RulePipeline(tuple(make() for make in RULES.values()))
