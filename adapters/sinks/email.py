"""E-mail to procurement staff through the notifiers (GC Notify or SMTP): one bilingual message
per batch, listing its awards and linking to the panel's award pages.

Mail cannot be taken back or de-duplicated by the receiver's system, so a batch is sent once per
claim; a crash between the notifier's acceptance and the marking sends it again (at least once),
with the batch named in the subject for a reader to spot the repeat.
"""

from __future__ import annotations

from bridge.exports.delivery import Item, SinkFailed
from bridge.exports.models import DeliveryKind
from bridge.notifications.delivery import DeliveryFailed, Notifier, OutgoingMessage
from bridge.notifications.messages import assemble, compose


def _line(item: Item) -> str:
    if item.kind == DeliveryKind.OUTCOMES.value:
        return f"- {item.payload['period']}: {len(item.payload['rows'])}"
    if item.kind == DeliveryKind.PAYMENT_REQUISITION.value:
        requisition = item.payload["requisition"]
        return (
            f"- {requisition['requisition']} — {requisition['supplier']['name']} — "
            f"{requisition['total']} $ — {requisition['due_on']}"
        )
    record = item.payload["record"]
    supplier = record["supplier"]["legal_name"]
    return (
        f"- {record['title_en']} / {record['title_fr']} — {supplier} — "
        f"{record['original_value']} $ (revision {item.payload['revision']})"
    )


# The message of each kind of batch.
MESSAGE_OF = {
    DeliveryKind.AWARD_RECORD.value: "awards_exported",
    DeliveryKind.PAYMENT_REQUISITION.value: "requisitions_exported",
    DeliveryKind.OUTCOMES.value: "outcomes_exported",
}


class EmailSink:
    name = "email"

    def __init__(self, notifier: Notifier, recipients: list[str]) -> None:
        self.notifier, self.recipients = notifier, recipients

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        listing = "\n".join(_line(item) for item in sorted(items, key=lambda i: i.delivery_id))
        kind = MESSAGE_OF[items[0].kind]
        params = {"number": str(len(items)), "batch": batch, "awards": listing}
        fields = compose(kind, params)
        subject, body = assemble(fields, None)
        for recipient in self.recipients:
            every = {**fields, "subject": subject, "body": body}
            message = OutgoingMessage(kind, recipient, subject, body, every, batch)
            try:
                self.notifier.send(message)
            except DeliveryFailed as problem:
                raise SinkFailed(f"e-mail to {recipient}: {problem}") from problem
        return {item.delivery_id: None for item in items}
