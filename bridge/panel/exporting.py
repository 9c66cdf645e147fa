"""Award records built again and delivered now, from the panel.

An award whose record could not be built (its opportunity had no department) waits in the
outbox until the export job's next run, an hour away by default. When an administrator routes
it, or procurement staff ask for an export, the record is built in the request itself, so the
page that follows shows it, and delivery starts at once where the panel runs the jobs.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _

from bridge.exports.outbox import refresh, retry_unexportable
from bridge.panel import db
from bridge.settings import Settings


def _settings() -> Settings:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings


def rebuild(opportunity_ids: Iterable[str] | None = None) -> int:
    """Build again the records of ``opportunity_ids``, or every record held back; the number
    of deliveries enqueued. The caller commits."""
    if opportunity_ids is None:
        return retry_unexportable(db(), _settings())
    return refresh(db(), opportunity_ids, _settings())


def deliver_soon() -> str:
    """Start the export job now when this process runs it; what the user should expect."""
    launch = current_app.config.get("BRIDGE_LAUNCH_EXPORT")
    if launch is None:
        return str(_("Delivery follows at the next export run."))
    launch("panel")
    return str(_("Delivery to every sink has started."))
