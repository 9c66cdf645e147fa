"""Awards as the sync derived them from the marketplace."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bridge.panel import db
from bridge.panel.params import page_number, page_size
from bridge.sync.queries import awards_page, titles_of

blueprint = Blueprint("awards", __name__, url_prefix="/awards")


@blueprint.route("/")
def index() -> Any:
    database = db()
    page = awards_page(database, page_number(), page_size())
    titles = titles_of(database, [award.opportunity_id for award in page.items])
    return render_template("awards/index.html", page=page, titles=titles)
