"""Opportunities: a filtered, paginated list and a detail page with sanitized Markdown."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request

from bridge.approvals.guard import alerts_of
from bridge.approvals.service import timeline
from bridge.contracts.issuing import contract_of
from bridge.contracts.progress import timeline as contract_timeline
from bridge.departments.service import all_departments
from bridge.marketplace.vocabulary import (
    CWUOpportunityStatus,
    OpportunityKind,
    SWUOpportunityStatus,
    TWUOpportunityStatus,
)
from bridge.panel import db
from bridge.panel.markdown import render_markdown
from bridge.panel.params import page_number, page_size
from bridge.panel.scope import may_read_proposals
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.approvals import ALERT_LABELS, STATUS_LABELS
from bridge.panel.views.contracts import may_read as may_read_contract
from bridge.rules.queries import current_evaluation
from bridge.settings import Settings
from bridge.sync.queries import (
    OpportunityFilter,
    author_of,
    award_of,
    opportunity_with_everything,
    proposals_of,
    search_opportunities,
)

blueprint = Blueprint("opportunities", __name__, url_prefix="/opportunities")

STATUSES = sorted(
    {
        status.value
        for enum in (CWUOpportunityStatus, SWUOpportunityStatus, TWUOpportunityStatus)
        for status in enum
    }
)


@blueprint.route("/")
def index() -> Any:
    database = db()
    departments = all_departments(database)
    kind = request.args.get("kind") or None
    status = request.args.get("status") or None
    department = request.args.get("department") or None
    text = (request.args.get("q") or "").strip() or None
    chosen = next((d for d in departments if d.acronym == department), None)
    criteria = OpportunityFilter(
        kind=kind if kind in {k.value for k in OpportunityKind} else None,
        status=status if status in STATUSES else None,
        department_domains=chosen.email_domains if chosen else None,
        text=text,
    )
    page = search_opportunities(database, criteria, page_number(), page_size())
    prefetch_titles(opportunity.id for opportunity in page.items)
    return render_template(
        "opportunities/index.html",
        page=page,
        kinds=[k.value for k in OpportunityKind],
        statuses=STATUSES,
        departments=departments,
        selected={
            "kind": criteria.kind,
            "status": criteria.status,
            "department": department,
            "q": text,
        },
    )


def _zone() -> ZoneInfo:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings.zone


@blueprint.route("/<opportunity_id>")
def detail(opportunity_id: str) -> Any:
    database = db()
    opportunity = opportunity_with_everything(database, opportunity_id)
    if opportunity is None:
        abort(404)
    evaluation = current_evaluation(database, opportunity_id)
    department = evaluation.department_id if evaluation else None
    contract = contract_of(database, opportunity_id)
    if contract is not None and not may_read_contract(contract):
        contract = None
    return render_template(
        "opportunities/detail.html",
        opportunity=opportunity,
        author=author_of(database, opportunity),
        proposals=proposals_of(database, opportunity_id) if may_read_proposals(department) else [],
        award=award_of(database, opportunity_id),
        markdown=render_markdown,
        evaluation=evaluation,
        approvals=timeline(database, opportunity_id),
        alerts=alerts_of(database, opportunity_id),
        request_status=STATUS_LABELS,
        alert_status=ALERT_LABELS,
        contract=contract,
        contract_events=contract_timeline(database, contract, _zone()) if contract else [],
    )
