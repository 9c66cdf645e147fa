"""The default notifier: messages go to the log, for a bridge that has no mail set up yet."""

from __future__ import annotations

import logging

from bridge.notifications.delivery import OutgoingMessage

log = logging.getLogger("bridge.notifications")


class LogNotifier:
    name = "log"

    def send(self, message: OutgoingMessage) -> str | None:
        log.info("notification to %s: %s\n%s", message.recipient, message.subject, message.body)
        return None
