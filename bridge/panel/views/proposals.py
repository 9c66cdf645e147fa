"""Proposals across the opportunities the user may read them for, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bridge.panel import db
from bridge.panel.params import page_number, page_size
from bridge.panel.scope import proposal_departments
from bridge.panel.titles import prefetch_titles
from bridge.rules.queries import routed_to
from bridge.sync.queries import proposals_page

blueprint = Blueprint("proposals", __name__, url_prefix="/proposals")


@blueprint.route("/")
def index() -> Any:
    database = db()
    departments = proposal_departments()
    scope = None if departments is None else routed_to(departments)
    page = proposals_page(database, page_number(), page_size(), scope)
    titles = prefetch_titles(proposal.opportunity_id for proposal in page.items)
    return render_template("proposals/index.html", page=page, titles=titles)
