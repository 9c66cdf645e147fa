"""Departments (administrators): their names and staff e-mail domains, their approval chains,
and the unrouted queue.

An opportunity belongs to the department whose staff domain its author's e-mail address uses.
One that matches none waits in the unrouted queue until an administrator assigns it; the rules
then judge it again with its department (contract splitting depends on it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from adapters.registry import rule_pipeline
from bridge.accounts.models import PanelUser, Role, RoleGrant
from bridge.approvals.chains import ChainRefused, StepDraft, chain_of, save_chain
from bridge.approvals.flow import request_approval
from bridge.approvals.service import announce_waiting_steps
from bridge.clock import utcnow
from bridge.departments.models import Department
from bridge.departments.service import all_departments, assign_department, update_department
from bridge.panel import db, get_or_404
from bridge.panel.exporting import deliver_soon, rebuild
from bridge.panel.forms import AssignDepartmentForm, ChainForm, DepartmentForm
from bridge.panel.i18n import current_language
from bridge.panel.params import page_number, page_size
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.rules import judge_everything_again
from bridge.panel.views.sync import acting_user
from bridge.rules.queries import unrouted as unrouted_page
from bridge.sync.models import Opportunity
from bridge.sync.queries import author_of

blueprint = Blueprint("departments", __name__, url_prefix="/departments")


@blueprint.route("/")
def index() -> Any:
    return render_template("departments/index.html", departments=all_departments(db()))


@blueprint.route("/<int:department_id>", methods=["GET", "POST"])
def edit(department_id: int) -> Any:
    database = db()
    department = get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    if not form.is_submitted():
        form.email_domains.data = "\n".join(department.email_domains)
    if form.validate_on_submit():
        taken = {d.acronym for d in all_departments(database) if d.id != department.id}
        if form.acronym.data in taken:
            form.acronym.errors.append(_("Another department uses this acronym."))
        else:
            update_department(
                database,
                department,
                acting_user(),
                acronym=form.acronym.data,
                name_en=form.name_en.data,
                name_fr=form.name_fr.data,
                email_domains=form.domains(),
            )
            flash(_("Department saved.") + " " + judge_everything_again("department"), "success")
            return redirect(url_for("departments.index"))
    status = 400 if form.errors else 200
    return render_template("departments/edit.html", form=form, department=department), status


def _assign_form() -> AssignDepartmentForm:
    form = AssignDepartmentForm()
    language = current_language()
    form.department.choices = [
        SelectChoice(d.id, f"{d.acronym} — {d.name(language)}") for d in all_departments(db())
    ]
    return form


@blueprint.route("/unrouted")
def unrouted() -> Any:
    """Each row shows its author's e-mail domain: often all an administrator needs is to add
    that domain to its department."""
    database = db()
    page = unrouted_page(database, page_number(), page_size())
    prefetch_titles(evaluation.opportunity_id for evaluation in page.items)
    domains = {}
    for evaluation in page.items:
        author = author_of(database, evaluation.opportunity)
        email = author.email if author is not None else None
        domains[evaluation.opportunity_id] = email.rpartition("@")[2] if email else None
    return render_template(
        "departments/unrouted.html", page=page, form=_assign_form(), domains=domains
    )


@blueprint.route("/unrouted/<opportunity_id>", methods=["POST"])
def assign(opportunity_id: str) -> Response:
    database = db()
    opportunity = get_or_404(Opportunity, opportunity_id)
    form = _assign_form()
    if not form.validate_on_submit():
        flash(_("Choose a department."), "error")
        return redirect(url_for("departments.unrouted"))
    department = database.get(Department, form.department.data)
    assert department is not None
    assign_department(database, opportunity.id, department, acting_user())
    rule_pipeline().evaluate(database, [opportunity.id], "department")
    if opportunity.status == "UNDER_REVIEW":
        request_approval(database, opportunity, utcnow())
    delivering = rebuild([opportunity.id]) > 0  # an award held back for want of a department
    database.commit()
    routed = _(
        "%(title)s is now with %(department)s.",
        title=opportunity.title,
        department=department.acronym,
    )
    if delivering:
        routed += " " + _("Its award record is built.") + " " + deliver_soon()
    flash(routed, "success")
    return redirect(url_for("departments.unrouted"))


REFUSED_CHAINS: dict[str, Any] = {
    "empty": _l("A chain needs at least one step."),
    "unknown_step": _l("The chain changed while you edited it; reload the page."),
    "step_decided": _l("A step someone already decided cannot be removed; rename it instead."),
}


def _approvers_of(department_id: int) -> list[PanelUser]:
    return list(
        db().scalars(
            select(PanelUser)
            .join(RoleGrant, RoleGrant.user_id == PanelUser.id)
            .where(RoleGrant.role == Role.APPROVER.value, RoleGrant.department_id == department_id)
            .order_by(PanelUser.display_name)
        )
    )


def _drafts(form: ChainForm) -> list[StepDraft]:
    kept = [entry.form for entry in form.steps if not entry.form.remove.data]
    kept.sort(key=lambda step: step.position.data)
    drafts = [
        StepDraft(
            int(step.step_id.data) if step.step_id.data else None,
            step.name_en.data.strip(),
            step.name_fr.data.strip(),
            step.min_amount.data,
            frozenset(step.approvers.data or []),
        )
        for step in kept
    ]
    new = form.new_step.form
    if new.name_en.data and new.name_fr.data:
        drafts.append(
            StepDraft(None, new.name_en.data.strip(), new.name_fr.data.strip(), new.min_amount.data)
        )
    return drafts


@blueprint.route("/<int:department_id>/chain", methods=["GET", "POST"])
def chain(department_id: int) -> Any:
    """The department's approval chain: names, order, value thresholds and who decides."""
    database = db()
    department = get_or_404(Department, department_id)
    form = ChainForm()
    if not form.is_submitted():
        for step in chain_of(database, department_id):
            form.steps.append_entry(
                {
                    "step_id": str(step.id),
                    "position": step.position,
                    "name_en": step.name_en,
                    "name_fr": step.name_fr,
                    "min_amount": step.min_amount,
                    "approvers": [user.id for user in step.approvers],
                }
            )
    choices = [(user.id, user.display_name) for user in _approvers_of(department_id)]
    for entry in form.steps:
        entry.form.approvers.choices = choices
    if form.validate_on_submit():
        try:
            save_chain(database, department_id, _drafts(form), acting_user())
        except ChainRefused as refused:
            database.rollback()
            flash(str(REFUSED_CHAINS[refused.code]), "error")
        else:
            announce_waiting_steps(database, [department_id])
            database.commit()
            flash(
                _("Approval chain saved. It applies to the requests still being decided."),
                "success",
            )
            return redirect(url_for("departments.chain", department_id=department_id))
    status = 400 if form.errors else 200
    return render_template("departments/chain.html", form=form, department=department), status
