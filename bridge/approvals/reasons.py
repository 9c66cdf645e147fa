"""Why a publish attempt stopped, kept on the request in a form both the panel and the notices
word in the reader's language (a marketplace error's text is technical and kept as it is)."""

from __future__ import annotations

from bridge.notifications.messages import N_

# Why an attempt stopped without publishing, as administrators read it in either language.
REASONS: dict[str, str] = {
    "unreadable": N_("The marketplace sent an opportunity the bridge cannot read."),
    "unapproved_content": N_("It is published on the marketplace with content nobody approved."),
    "status": N_("The opportunity is %(status)s on the marketplace."),
    "changed": N_(
        "The opportunity changed since it was approved; a new approval follows the next sync."
    ),
    "refused": N_(
        "The marketplace refused it; fix the cause, then publish again. Its message, "
        "in English: %(status)s"
    ),
    "too_long": N_(
        "In both languages, a field is longer than the marketplace takes (%(status)s); "
        "shorten a version, then publish again."
    ),
}
STORED_PREFIX = "reason:"
# Reasons no retry can change: the request waits for an administrator.
FOR_GOOD = frozenset({"refused", "too_long"})


class NotPublished(Exception):
    """Why this attempt stopped without publishing; ``stored`` is how the request keeps it, so
    that the panel and the notices can word it in the reader's language."""

    def __init__(self, code: str, status: str = "") -> None:
        super().__init__(REASONS[code] % {"status": status})
        self.code, self.status = code, status

    @property
    def stored(self) -> str:
        return f"{STORED_PREFIX}{self.code}:{self.status}"


def failure_reason(stored: str) -> tuple[str, dict[str, str]] | None:
    """The message id and its values of a stored ``NotPublished``; ``None`` for a marketplace
    error, whose text is technical and shown as it is."""
    if not stored.startswith(STORED_PREFIX):
        return None
    code, _, status = stored[len(STORED_PREFIX) :].partition(":")
    return (REASONS[code], {"status": status}) if code in REASONS else None
