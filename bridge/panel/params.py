"""Reading request parameters the same way on every page."""

from __future__ import annotations

from flask import current_app, request

from bridge.settings import Settings


def page_number() -> int:
    """The ``page`` query parameter, 1 when absent or not a number."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def page_size() -> int:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings.page_size
