"""The language toggle: remembered in the session and on the signed-in account."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from bridge.panel import db
from bridge.panel.i18n import LANGUAGES
from bridge.panel.views.auth import _safe_next

blueprint = Blueprint("i18n", __name__)


@blueprint.route("/language/<code>", methods=["POST"])
def switch(code: str) -> Response:
    """A POST: it changes what is saved on the account, which a link or an image elsewhere
    must not do."""
    if code not in LANGUAGES:
        abort(404)
    session["language"] = code
    if current_user.is_authenticated:
        database = db()
        account = database.merge(current_user.account)
        account.language = code
        database.commit()
    return redirect(
        _safe_next(request.args.get("next"))
        if request.args.get("next")
        else url_for("dashboard.index")
    )
