"""The approver's queue, the decision page, publication and the guard's alerts.

An approver sees the requests of their departments, each with the step that waits; the decision
page shows the opportunity in both languages beside its findings and the chain so far, and
records approve or request changes. Every refusal is explained in the reader's language.
Administrators publish approved requests when auto-publish is off, and close the alerts of
publications nobody approved.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bridge.accounts.models import PanelUser, Role
from bridge.approvals.guard import LOST_ANSWER, NOT_CANCELABLE, resolve
from bridge.approvals.models import (
    AlertStatus,
    ApprovalAlert,
    ApprovalRequest,
    Decision,
    RequestStatus,
)
from bridge.approvals.notes import comment_room
from bridge.approvals.publish import AUTO, authorize
from bridge.approvals.publisher import how_published
from bridge.approvals.reasons import failure_reason
from bridge.approvals.service import DecisionRefused, decide, progress
from bridge.departments.models import Department
from bridge.marketplace.limits import NOTE_UNITS, units
from bridge.panel import db, get_or_404
from bridge.panel.forms import DecisionForm
from bridge.panel.i18n import current_language, number
from bridge.panel.labels import STATUSES
from bridge.panel.markdown import render_markdown
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.sync import acting_user
from bridge.rules.queries import current_evaluation
from bridge.sync.models import Opportunity
from bridge.sync.queries import opportunity_with_everything
from bridge.translations.service import authored, field_statuses

blueprint = Blueprint("approvals", __name__, url_prefix="/approvals")

REFUSALS: dict[str, Any] = {
    "not_open": _l("This request is no longer waiting for a decision."),
    "outdated_version": _l(
        "The opportunity changed on the marketplace since this request was opened; a new "
        "request will follow."
    ),
    "not_an_approver": _l("You do not approve for this department."),
    "not_step_approver": _l("This step is decided by the people its chain names."),
    "author": _l("You wrote this opportunity, so someone else must approve it."),
    "already_decided": _l(
        "You already decided a step of this request; another person decides this one."
    ),
    "comment_required": _l("Say what should change."),
    "comment_too_long": _l("The comment is too long to be written on the marketplace."),
    "blocking_findings": _l(
        "Blocking findings remain; the final approval waits until they are resolved."
    ),
}
STATUS_LABELS: dict[str, Any] = {
    RequestStatus.OPEN.value: _l("Waiting for a decision"),
    RequestStatus.CHANGES_REQUESTED.value: _l("Changes requested"),
    RequestStatus.APPROVED.value: _l("Approved"),
    RequestStatus.PUBLISHED.value: _l("Published"),
    RequestStatus.SUPERSEDED.value: _l("Replaced by a newer version"),
}

ALERT_LABELS: dict[str, Any] = {
    AlertStatus.OPEN.value: _l("Open"),
    AlertStatus.CANCEL_PENDING.value: _l("Being canceled on the marketplace"),
    AlertStatus.CANCELED.value: _l("Canceled on the marketplace"),
    AlertStatus.RESOLVED.value: _l("Closed"),
}


def _account() -> PanelUser:
    account: PanelUser = current_user.account
    return account


def _visible_departments(account: PanelUser) -> list[int] | None:
    """The departments whose requests this person sees; ``None`` for all (administrators)."""
    if Role.ADMIN in account.roles:
        return None
    return sorted(account.department_ids(Role.APPROVER))


@blueprint.route("/")
def queue() -> Any:
    database = db()
    account = _account()
    query = (
        select(ApprovalRequest)
        .where(
            ApprovalRequest.status.in_(
                [
                    RequestStatus.OPEN.value,
                    RequestStatus.CHANGES_REQUESTED.value,
                    RequestStatus.APPROVED.value,
                ]
            )
        )
        .options(selectinload(ApprovalRequest.decisions))
        .order_by(ApprovalRequest.opened_at)
    )
    departments = _visible_departments(account)
    if departments is not None:
        query = query.where(ApprovalRequest.department_id.in_(departments))
    rows = []
    requests = list(database.scalars(query))
    prefetch_titles(request.opportunity_id for request in requests)
    for request in requests:
        opportunity = database.get(Opportunity, request.opportunity_id)
        department = database.get(Department, request.department_id)
        rows.append((request, opportunity, department, progress(database, request).next_step))
    return render_template("approvals/queue.html", rows=rows, status_labels=STATUS_LABELS)


@blueprint.route("/<int:request_id>", methods=["GET", "POST"])
def detail(request_id: int) -> Any:
    database = db()
    request = database.get(ApprovalRequest, request_id)
    account = _account()
    departments = _visible_departments(account)
    if request is None or (departments is not None and request.department_id not in departments):
        abort(404)
    form = DecisionForm()
    if form.comment.data:  # browsers send line breaks as CRLF; the marketplace counts LF
        form.comment.data = form.comment.data.replace("\r\n", "\n")
    room = _cap_comment(form, request, account)
    if form.validate_on_submit() and _comment_fits(form, room):
        choice = Decision.APPROVE if form.approve.data else Decision.REQUEST_CHANGES
        try:
            decide(database, request, account, choice, form.comment.data or "")
        except DecisionRefused as refused:
            database.rollback()
            flash(str(REFUSALS.get(refused.code, refused.code)), "error")
            return redirect(url_for("approvals.detail", request_id=request_id))
        database.commit()
        flash(_("Your decision is recorded."), "success")
        if request.status == RequestStatus.APPROVED.value:
            _publish_soon()
        return redirect(url_for("approvals.queue"))
    opportunity = opportunity_with_everything(database, request.opportunity_id)
    assert opportunity is not None
    return render_template(
        "approvals/detail.html",
        request=request,
        opportunity=opportunity,
        department=database.get(Department, request.department_id),
        state=progress(database, request),
        texts=field_statuses(database, opportunity),
        source_language=authored(database, opportunity)[1],
        evaluation=current_evaluation(database, opportunity.id),
        form=form,
        markdown=render_markdown,
        status_labels=STATUS_LABELS,
        can_decide=request.status == RequestStatus.OPEN.value
        and request.department_id in account.department_ids(Role.APPROVER),
        can_publish=Role.ADMIN in account.roles
        and request.status == RequestStatus.APPROVED.value
        and request.publish_authorized_by is None,
        auto=AUTO,
        publish_error=_publish_error(request.publish_error),
        note_problem=note_problem,
        auto_publish=current_app.config["BRIDGE_SETTINGS"].approvals_auto_publish,
    ), (400 if form.errors else 200)


def _cap_comment(form: DecisionForm, request: ApprovalRequest, account: PanelUser) -> int | None:
    """Say, and have the browser keep to, the length a comment may have for its note to fit;
    that length (``None`` when no step waits)."""
    step = progress(db(), request).next_step
    if step is None:
        return None
    room = comment_room(step, account.display_name)
    form.comment.description = ngettext(
        "Required when you ask for changes: say what should change, in %(count)s character at "
        "most (the marketplace's limit for a note, less the bridge's heading).",
        "Required when you ask for changes: say what should change, in %(count)s characters at "
        "most (the marketplace's limit for a note, less the bridge's heading).",
        room,
        count=number(room),
    )
    form.comment.render_kw = {"maxlength": room}
    return room


def _comment_fits(form: DecisionForm, room: int | None) -> bool:
    """A request for changes becomes a note on the marketplace, which takes 1,000 characters with
    the bridge's heading: say how long the comment may be, and keep what was typed."""
    if not form.request_changes.data or room is None:
        return True
    if units((form.comment.data or "").strip()) <= room:
        return True
    form.comment.errors.append(
        ngettext(
            "The marketplace takes notes of up to %(limit)s characters, the bridge's heading "
            "included: shorten the comment to %(count)s character.",
            "The marketplace takes notes of up to %(limit)s characters, the bridge's heading "
            "included: shorten the comment to %(count)s characters.",
            room,
            count=number(room),
            limit=number(NOTE_UNITS),
        )
    )
    return False


def note_problem(stored: str | None) -> str | None:
    """Why a request for changes was not written on the marketplace, in the reader's words."""
    if not stored:
        return None
    code, _sep, figure = stored.partition(":")
    if code == "too_long" and figure.isdigit():
        return str(
            ngettext(
                "The note would be %(count)s character long; "
                "the marketplace takes %(limit)s at most.",
                "The note would be %(count)s characters long; "
                "the marketplace takes %(limit)s at most.",
                int(figure),
                count=number(int(figure)),
                limit=number(NOTE_UNITS),
            )
        )
    return str(_("The marketplace refused it: %(message)s", message=stored))


def _publish_error(stored: str | None) -> str | None:
    """The last failure in the reader's language (a marketplace error's text as it is)."""
    if stored is None:
        return None
    reason = failure_reason(stored)
    return _(reason[0], **reason[1]) if reason else stored


def _publish_soon() -> None:
    """Publication happens at the end of a sync (which reads the marketplace first): start one."""
    launch = current_app.config.get("BRIDGE_LAUNCH_SYNC")
    if launch is not None:
        launch("approval")


@blueprint.route("/<int:request_id>/publish", methods=["POST"])
def publish(request_id: int) -> Response:
    database = db()
    request = get_or_404(ApprovalRequest, request_id)
    try:
        authorize(database, request, _account())
    except ValueError:
        database.rollback()
        flash(_("This request is not waiting to be published."), "error")
        return redirect(url_for("approvals.detail", request_id=request_id))
    database.commit()
    _publish_soon()
    flash(_("Publication is on its way: the next sync publishes it on the marketplace."), "success")
    return redirect(url_for("approvals.detail", request_id=request_id))


def _visible_alert(alert_id: int) -> ApprovalAlert:
    alert = db().get(ApprovalAlert, alert_id)
    departments = _visible_departments(_account())
    if alert is None or (departments is not None and alert.department_id not in departments):
        abort(404)
    return alert


@blueprint.route("/alerts")
def alerts() -> Any:
    database = db()
    query = select(ApprovalAlert).order_by(ApprovalAlert.raised_at.desc()).limit(200)
    departments = _visible_departments(_account())
    if departments is not None:
        query = query.where(ApprovalAlert.department_id.in_(departments))
    found = list(database.scalars(query))
    prefetch_titles(alert.opportunity_id for alert in found)
    rows = [(alert, database.get(Opportunity, alert.opportunity_id)) for alert in found]
    return render_template("approvals/alerts.html", rows=rows, labels=ALERT_LABELS)


@blueprint.route("/alerts/<int:alert_id>")
def alert(alert_id: int) -> Any:
    found = _visible_alert(alert_id)
    database = db()
    return render_template(
        "approvals/alert.html",
        alert=found,
        opportunity=database.get(Opportunity, found.opportunity_id),
        department=database.get(Department, found.department_id) if found.department_id else None,
        labels=ALERT_LABELS,
        how=how_published(found.details).text(current_language()),
        cancel_problem=cancel_problem(found.cancel_error),
        can_close=Role.ADMIN in _account().roles
        and found.status in (AlertStatus.OPEN.value, AlertStatus.CANCELED.value),
    )


def cancel_problem(stored: str | None) -> tuple[str, bool] | None:
    """Why the last cancel attempt did not cancel, and whether it is the bridge's own words
    (False: the marketplace's error, as it came, in English)."""
    if not stored:
        return None
    if stored == LOST_ANSWER:
        return str(
            _("The marketplace's answer was lost; the next sync checks whether it was canceled.")
        ), True
    if stored.startswith(NOT_CANCELABLE):
        status = stored.removeprefix(NOT_CANCELABLE)
        return str(
            _(
                "The opportunity is at the status %(status)s on the marketplace, which "
                "cannot be canceled.",
                status=STATUSES.get(status, status),
            )
        ), True
    return stored, False


@blueprint.route("/alerts/<int:alert_id>/close", methods=["POST"])
def close_alert(alert_id: int) -> Response:
    found = _visible_alert(alert_id)
    if found.status not in (AlertStatus.OPEN.value, AlertStatus.CANCELED.value):
        flash(_("This alert is already closed or still being canceled."), "error")
    else:
        resolve(db(), found, acting_user())
        db().commit()
        flash(_("Alert closed."), "success")
    return redirect(url_for("approvals.alert", alert_id=alert_id))
