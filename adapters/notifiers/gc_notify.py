"""GC Notify, the Government of Canada's notification service, through its own Python client.

Every message uses one e-mail template (or one per kind) whose placeholders the bridge fills:
((subject)) and ((body)) carry both languages, and the message's other fields are there too for
templates that lay them out themselves.
"""

from __future__ import annotations

from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from bridge.notifications.delivery import DeliveryFailed, OutgoingMessage
from bridge.settings import Settings

# GC Notify's answers that trying again cannot change: a bad request, a bad key, a template
# that is not there.
PERMANENT_STATUSES = frozenset({400, 403, 404})


class GCNotifyNotifier:
    name = "gc-notify"

    def __init__(
        self,
        client: NotificationsAPIClient,
        template_id: str,
        templates: dict[str, str] | None = None,
    ) -> None:
        self.client, self.template_id, self.templates = client, template_id, templates or {}

    @classmethod
    def from_settings(cls, settings: Settings) -> GCNotifyNotifier:
        assert settings.gc_notify_api_key is not None  # require_notifier checked it
        client = NotificationsAPIClient(
            settings.gc_notify_api_key.get_secret_value(),
            base_url=str(settings.gc_notify_api_url).rstrip("/"),
            timeout=int(settings.http_timeout_seconds),
        )
        return cls(client, settings.gc_notify_template_id, settings.gc_notify_templates)

    def send(self, message: OutgoingMessage) -> str | None:
        try:
            answer = self.client.send_email_notification(
                email_address=message.recipient,
                template_id=self.templates.get(message.kind, self.template_id),
                personalisation=message.fields,
                reference=f"gc-bridge-{message.reference}",
            )
        except HTTPError as exc:
            permanent = exc.status_code in PERMANENT_STATUSES
            raise DeliveryFailed(
                f"GC Notify {exc.status_code}: {exc.message}", permanent=permanent
            ) from exc
        except (APIError, OSError) as exc:
            raise DeliveryFailed(f"GC Notify unreachable: {exc}") from exc
        return str(answer.get("id")) if isinstance(answer, dict) else None
