"""A recording notifier that can be told to fail."""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.notifications.delivery import DeliveryFailed, OutgoingMessage


@dataclass
class RecordingNotifier:
    name: str = "recording"
    sent: list[OutgoingMessage] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)

    def send(self, message: OutgoingMessage) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"ref-{len(self.sent)}"
