"""The audit log, newest first, with the state of its hash chain."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from bridge.audit.models import AuditEntry
from bridge.audit.service import verify
from bridge.pagination import paginate
from bridge.panel import db
from bridge.panel.params import page_number, page_size

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.route("/")
def index() -> Any:
    database = db()
    page = paginate(
        database, select(AuditEntry).order_by(AuditEntry.id.desc()), page_number(), page_size()
    )
    return render_template("audit/index.html", page=page, broken=verify(database))
