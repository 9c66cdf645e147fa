"""The landing page: how the last sync went, and what waits for the signed-in user."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.approvals.models import AlertStatus, ApprovalAlert, ApprovalRequest, RequestStatus
from bridge.approvals.service import awaiting
from bridge.clock import utcnow
from bridge.notifications.models import Notification, NotificationStatus
from bridge.outcomes.warnings import warnings
from bridge.panel import db
from bridge.panel.labels import WARNING_LABELS
from bridge.panel.views.health import sync_overdue_after
from bridge.rules.queries import NEEDS_TRANSLATION, count_current_findings, count_unrouted
from bridge.settings import Settings
from bridge.sync.models import Opportunity
from bridge.sync.queries import counts_by_kind_and_status, last_run, unresolved_quarantine_count
from bridge.sync.status import progress

blueprint = Blueprint("dashboard", __name__)


@blueprint.route("/")
def index() -> Any:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    database = db()
    latest = last_run(database)
    succeeded = last_run(database, "succeeded")
    overdue = succeeded is None or utcnow() - succeeded.started_at > sync_overdue_after(settings)
    roles = current_user.account.roles
    waiting = {}
    if roles & {Role.ADMIN, Role.OPERATOR}:
        waiting["quarantine"] = unresolved_quarantine_count(database)
    if Role.APPROVER in roles:
        waiting["approvals"] = len(awaiting(database, current_user.account))
    if roles & {Role.ADMIN, Role.TRANSLATOR}:
        waiting["translations"] = count_current_findings(database, message_keys=NEEDS_TRANSLATION)
    if Role.ADMIN in roles:
        waiting["unrouted"] = count_unrouted(database)
        waiting |= _administration(database)
    if roles & {Role.ADMIN, Role.PROCUREMENT}:
        waiting["splitting"] = count_current_findings(database, rule="splitting")
    return render_template(
        "dashboard.html",
        latest=latest,
        overdue=overdue,
        progress=progress(database),
        waiting=waiting,
        counts=counts_by_kind_and_status(database, Opportunity),
        warnings=_warnings(database, settings, current_user.account),
    )


# Whoever works for every department sees every warning; others those of their departments.
EVERY_DEPARTMENT = frozenset({Role.ADMIN, Role.OPERATOR, Role.VIEWER})


def _warnings(database: Session, settings: Settings, account: PanelUser) -> list[tuple[str, int]]:
    """The early warnings standing now, counted by kind, for the departments the user works
    for (the Outcomes page lists them one by one)."""
    named = account.named_departments()
    departments = None if account.roles & EVERY_DEPARTMENT or not named else named
    standing = warnings(database, settings, None, utcnow(), departments)
    counted = Counter(
        item.kind for item in standing if departments is None or item.department_id in departments
    )
    return [(kind, counted[kind]) for kind in WARNING_LABELS if counted[kind]]


def _administration(database: Session) -> dict[str, int]:
    """Alerts to look at, approved requests to publish, messages that could not be sent."""

    def count(query: Any) -> int:
        return int(database.scalar(query) or 0)

    open_alerts = [AlertStatus.OPEN.value, AlertStatus.CANCEL_PENDING.value]
    failed = NotificationStatus.FAILED.value
    return {
        "alerts": count(
            select(func.count())
            .select_from(ApprovalAlert)
            .where(ApprovalAlert.status.in_(open_alerts))
        ),
        "to_publish": count(
            select(func.count())
            .select_from(ApprovalRequest)
            .where(
                ApprovalRequest.status == RequestStatus.APPROVED.value,
                ApprovalRequest.publish_authorized_by.is_(None),
            )
        ),
        "failed_notifications": count(
            select(func.count()).select_from(Notification).where(Notification.status == failed)
        ),
    }
