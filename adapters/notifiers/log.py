"""The default notifier: messages go to the log, for a bridge that has no mail set up yet.

The log is read by more people than the messages are meant for, and kept longer: at INFO it
says that a message went and to which domain; its subject, recipient and body (comments,
names) only at DEBUG, for an operator who turns that on to read them.
"""

from __future__ import annotations

import logging

from bridge.notifications.delivery import OutgoingMessage

log = logging.getLogger("bridge.notifications")


class LogNotifier:
    name = "log"

    def send(self, message: OutgoingMessage) -> str | None:
        domain = message.recipient.rpartition("@")[2] or "?"
        log.info("notification %s (%s) to someone at %s", message.reference, message.kind, domain)
        log.debug(
            "notification %s to %s: %s\n%s",
            message.reference,
            message.recipient,
            message.subject,
            message.body,
        )
        return None
