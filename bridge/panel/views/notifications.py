"""The notification outbox for administrators: what was sent, what waits, what failed and why,
and a button to send a failed message again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from bridge.notifications.delivery import send_again as queue_again
from bridge.notifications.models import Notification, NotificationStatus
from bridge.panel import db
from bridge.panel.views.sync import acting_user

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")

STATUS_LABELS: dict[str, Any] = {
    NotificationStatus.PENDING.value: _l("Waiting to be sent"),
    NotificationStatus.SENT.value: _l("Sent"),
    NotificationStatus.FAILED.value: lazy_pgettext("a message's state", "Failed"),
}
SHOWN = 200


@blueprint.route("/")
def index() -> Any:
    status = request.args.get("status", "")
    query = select(Notification).order_by(Notification.id.desc()).limit(SHOWN)
    if status in STATUS_LABELS:
        query = query.where(Notification.status == status)
    else:
        status = ""
    rows = list(db().scalars(query))
    return render_template(
        "notifications/index.html", rows=rows, status=status, labels=STATUS_LABELS, shown=SHOWN
    )


@blueprint.route("/<int:notification_id>/send-again", methods=["POST"])
def send_again(notification_id: int) -> Response:
    database = db()
    try:
        notification = queue_again(database, notification_id, acting_user())
    except LookupError:
        abort(404)
    database.commit()
    flash(
        _(
            "The message to %(address)s will be sent again within a minute.",
            address=notification.recipient,
        ),
        "success",
    )
    return redirect(url_for("notifications.index", status=NotificationStatus.FAILED.value))
