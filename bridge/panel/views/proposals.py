"""Proposals across every opportunity, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bridge.panel import db
from bridge.panel.params import page_number, page_size
from bridge.sync.queries import proposals_page, titles_of

blueprint = Blueprint("proposals", __name__, url_prefix="/proposals")


@blueprint.route("/")
def index() -> Any:
    database = db()
    page = proposals_page(database, page_number(), page_size())
    titles = titles_of(database, [proposal.opportunity_id for proposal in page.items])
    return render_template("proposals/index.html", page=page, titles=titles)
