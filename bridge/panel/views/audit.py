"""The audit log, newest first, with the state of its hash chain.

Checking the chain reads and hashes every entry, so the page does it at most once every few
minutes per process (and whenever someone asks, with the button): a visitor reloading the page
cannot make the panel hash the whole log on each request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bridge.audit.models import AuditEntry
from bridge.audit.service import ChainBreak, verify
from bridge.clock import utcnow
from bridge.pagination import paginate
from bridge.panel import db
from bridge.panel.audit_words import action_label, actor_label, record_label
from bridge.panel.params import page_number, page_size

blueprint = Blueprint("audit", __name__, url_prefix="/audit")

CHECK_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class ChainCheck:
    at: datetime
    broken: ChainBreak | None


_checks: dict[str, ChainCheck] = {}
_lock = threading.Lock()


def chain_check(database: Session, *, now_please: bool = False) -> ChainCheck:
    """The last check of this database's chain, made again when older than ``CHECK_EVERY``."""
    key = database.get_bind().engine.url.render_as_string(hide_password=True)
    with _lock:
        known = _checks.get(key)
        if now_please or known is None or utcnow() - known.at > CHECK_EVERY:
            known = _checks[key] = ChainCheck(utcnow(), verify(database))
        return known


@blueprint.route("/")
def index() -> Any:
    database = db()
    page = paginate(
        database, select(AuditEntry).order_by(AuditEntry.id.desc()), page_number(), page_size()
    )
    return render_template(
        "audit/index.html",
        page=page,
        check=chain_check(database),
        action_label=action_label,
        record_label=record_label,
        actor_label=actor_label,
    )


@blueprint.route("/check", methods=["POST"])
def check_now() -> Response:
    chain_check(db(), now_please=True)
    return redirect(url_for("audit.index"))
