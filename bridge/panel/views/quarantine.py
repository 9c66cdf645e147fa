"""Quarantined marketplace records: what arrived, why it was refused, and a retry."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from bridge.audit.service import record
from bridge.panel import db, get_or_404
from bridge.panel.params import page_number, page_size
from bridge.panel.views.sync import acting_user
from bridge.sync.models import QuarantinedRecord
from bridge.sync.queries import quarantine_page

blueprint = Blueprint("quarantine", __name__, url_prefix="/quarantine")


@blueprint.route("/")
def index() -> Any:
    resolved = request.args.get("resolved") == "1"
    page = quarantine_page(db(), page_number(), page_size(), resolved=resolved)
    return render_template("quarantine/index.html", page=page, resolved=resolved)


@blueprint.route("/<int:record_id>")
def detail(record_id: int) -> Any:
    quarantined = get_or_404(QuarantinedRecord, record_id)
    payload = json.dumps(quarantined.payload, indent=2, sort_keys=True, ensure_ascii=False)
    return render_template("quarantine/detail.html", record=quarantined, payload=payload)


@blueprint.route("/<int:record_id>/retry", methods=["POST"])
def retry(record_id: int) -> Response:
    retry_record = current_app.config.get("BRIDGE_RETRY_QUARANTINED")
    database = db()
    quarantined = get_or_404(QuarantinedRecord, record_id)
    if retry_record is None:
        flash(_("This panel process cannot reach the marketplace."), "error")
        return redirect(url_for("quarantine.detail", record_id=record_id))
    record(
        database,
        acting_user(),
        "quarantine.retry",
        "quarantined_record",
        record_id,
        after={"kind": quarantined.record_kind},
    )
    database.commit()
    report = retry_record(record_id)
    database.expire_all()
    refreshed = database.get_one(QuarantinedRecord, record_id)
    if report is None:
        flash(_("A sync is running; try again when it has finished."), "error")
    elif refreshed.resolved_at is not None:
        flash(_("The record was read again and is no longer quarantined."), "info")
    else:
        flash(_("The record is still malformed; see the error below."), "error")
    return redirect(url_for("quarantine.detail", record_id=record_id))
