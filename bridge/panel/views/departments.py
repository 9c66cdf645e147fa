"""Departments (administrators): their names and staff e-mail domains, and the unrouted queue.

An opportunity belongs to the department whose staff domain its author's e-mail address uses.
One that matches none waits in the unrouted queue until an administrator assigns it; the rules
then judge it again with its department (contract splitting depends on it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from bridge.approvals.flow import request_approval
from bridge.db.types import utcnow
from bridge.departments.models import Department
from bridge.departments.service import all_departments, assign_department, update_department
from bridge.panel import db
from bridge.panel.forms import AssignDepartmentForm, DepartmentForm
from bridge.panel.i18n import current_language
from bridge.panel.params import page_number, page_size
from bridge.panel.views.rules import judge_everything_again
from bridge.panel.views.sync import acting_user
from bridge.rules.pipeline import RulePipeline
from bridge.rules.queries import unrouted as unrouted_page
from bridge.sync.models import Opportunity

blueprint = Blueprint("departments", __name__, url_prefix="/departments")


@blueprint.route("/")
def index() -> Any:
    return render_template("departments/index.html", departments=all_departments(db()))


@blueprint.route("/<int:department_id>", methods=["GET", "POST"])
def edit(department_id: int) -> Any:
    database = db()
    department = database.get(Department, department_id)
    if department is None:
        abort(404)
    form = DepartmentForm(obj=department)
    if not form.is_submitted():
        form.email_domains.data = "\n".join(department.email_domains)
    if form.validate_on_submit():
        taken = {d.acronym for d in all_departments(database) if d.id != department.id}
        if form.acronym.data in taken:
            form.acronym.errors.append(_("Another department uses this acronym."))
        else:
            update_department(database, department, acting_user(),
                              acronym=form.acronym.data, name_en=form.name_en.data,
                              name_fr=form.name_fr.data, email_domains=form.domains())  # fmt: skip
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
    page = unrouted_page(db(), page_number(), page_size())
    return render_template("departments/unrouted.html", page=page, form=_assign_form())


@blueprint.route("/unrouted/<opportunity_id>", methods=["POST"])
def assign(opportunity_id: str) -> Response:
    database = db()
    opportunity = database.get(Opportunity, opportunity_id)
    if opportunity is None:
        abort(404)
    form = _assign_form()
    if not form.validate_on_submit():
        flash(_("Choose a department."), "error")
        return redirect(url_for("departments.unrouted"))
    department = database.get(Department, form.department.data)
    assert department is not None
    assign_department(database, opportunity.id, department, acting_user())
    RulePipeline().evaluate(database, [opportunity.id], "department")
    if opportunity.status == "UNDER_REVIEW":
        request_approval(database, opportunity, utcnow())
    database.commit()
    flash(
        _("%(title)s is now with %(department)s.", title=opportunity.title,
          department=department.acronym),
        "success",
    )  # fmt: skip
    return redirect(url_for("departments.unrouted"))
