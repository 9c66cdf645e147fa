"""What can go wrong when talking to the marketplace, as types the callers can act on."""

from __future__ import annotations


class MarketplaceError(Exception):
    """Base of every marketplace failure; the message is meant for an operator."""


class MarketplaceUnavailable(MarketplaceError):
    """The marketplace did not answer usefully (network, timeout, 5xx, 429) after every retry."""


class TruncatedAnswer(MarketplaceError):
    """A JSON answer that ends before its closing bracket: cut off on the way, read again."""


class UnexpectedResponse(MarketplaceError):
    """An answer that is not the API's JSON: an unknown path's SPA page, Express's HTML 400."""


class SessionInvalid(MarketplaceError):
    """The configured session cannot be used; the operator must renew it."""

    RENEW = (
        "Renew the marketplace session: sign in to the marketplace as an ADMIN, copy the 'sid' "
        "cookie and set it in BRIDGE_MARKETPLACE_SESSION (sessions expire after 7 days)."
    )


class SessionExpired(SessionInvalid):
    """``sessions/current`` answered ``null``: the cookie is unknown, unsigned or expired."""

    def __init__(self) -> None:
        super().__init__(f"The marketplace session has expired or is not valid. {self.RENEW}")


class SessionNotAdmin(SessionInvalid):
    """The session belongs to a user who is not an ADMIN, so the lists would be partial."""

    def __init__(self, user_type: str) -> None:
        super().__init__(
            f"The marketplace session belongs to a {user_type} user, not an ADMIN. {self.RENEW}"
        )


class ApiError(MarketplaceError):
    """The marketplace answered with a 4xx error body."""

    def __init__(self, status: int, messages: list[str], path: str) -> None:
        self.status = status
        self.messages = messages
        self.path = path
        detail = "; ".join(messages) or "no message"
        super().__init__(f"{path}: HTTP {status}: {detail}")


class PermissionDenied(ApiError):
    """401: not allowed, or, for a command, an illegal status transition (no 403/422 exists)."""


class NotFound(ApiError):
    """404: the record does not exist, or is private to the caller."""


class Rejected(ApiError):
    """400: the request was invalid (field validation, unknown command tag, bad identifier)."""


class Conflict(ApiError):
    """409: the write conflicts with existing data."""


class WriteOutcomeUnknown(MarketplaceError):
    """A write may or may not have taken effect (timeout, dropped connection, 5xx).

    It is never retried blindly: the caller re-reads the record and decides.
    """
