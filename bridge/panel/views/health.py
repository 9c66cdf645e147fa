"""Probes for the operators' monitors: alive, and ready to serve fresh data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from bridge.clock import utcnow
from bridge.panel import db
from bridge.settings import Settings
from bridge.sync.queries import last_run
from bridge.sync.status import progress

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz() -> Any:
    """The process answers: nothing else is checked, so a slow database never kills it."""
    return jsonify(status="ok")


def sync_overdue_after(settings: Settings) -> timedelta:
    """Two missed intervals (and a minute of grace) make the data stale."""
    return timedelta(minutes=2 * settings.sync_interval_minutes + 1)


@blueprint.route("/readyz")
def readyz() -> Any:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    problems = []
    try:
        database = db()
        database.execute(text("SELECT 1"))
        latest = last_run(database)
        succeeded = last_run(database, "succeeded")
        state = progress(database)
    except Exception as exc:  # any database failure means "not ready"
        return jsonify(status="unavailable", problems=[f"database: {type(exc).__name__}"]), 503
    now = utcnow()
    started = current_app.config.setdefault("BRIDGE_STARTED_AT", now)
    if latest is not None and latest.outcome == "failed":
        problems.append("last sync failed")
    reference = succeeded.started_at if succeeded else started
    if now - reference > sync_overdue_after(settings):
        problems.append("sync overdue")
    # A run that read every list is ready even with a few records behind: they are named in
    # the run, and the next one reads them first.
    figures = {
        "last_sync": latest.outcome if latest else None,
        "errors": len(latest.errors) if latest else 0,
        "behind": state.behind,
    }
    if problems:
        return jsonify(status="not ready", problems=problems, **figures), 503
    return jsonify(status="ready", **figures)
