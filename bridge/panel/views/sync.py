"""Sync runs: their history, one run's details, and "run now"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from bridge.audit.service import Actor, record
from bridge.panel import db, get_or_404
from bridge.panel.params import page_number, page_size
from bridge.sync.models import SyncRun
from bridge.sync.queries import runs_page

blueprint = Blueprint("sync", __name__, url_prefix="/sync")


def acting_user() -> Actor:
    account = current_user.account
    return Actor.user(account.id, account.display_name)


@blueprint.route("/runs")
def runs() -> Any:
    return render_template("sync/runs.html", page=runs_page(db(), page_number(), page_size()))


@blueprint.route("/runs/<int:run_id>")
def run_detail(run_id: int) -> Any:
    run = get_or_404(SyncRun, run_id)
    return render_template("sync/run.html", run=run)


@blueprint.route("/run-now", methods=["POST"])
def run_now() -> Response:
    launch = current_app.config["BRIDGE_LAUNCH_SYNC"]
    if launch is None:
        flash(_("This panel process does not run syncs; ask an operator to start one."), "error")
        return redirect(url_for("sync.runs"))
    database = db()
    record(database, acting_user(), "sync.requested", "sync", "marketplace")
    database.commit()
    launch("panel")
    flash(_("A sync has started. Its run appears below when it is recorded."), "info")
    return redirect(url_for("sync.runs"))
