"""Panel accounts and their roles, managed by administrators; every change is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import (
    AccountError,
    create_user,
    grants_for,
    set_active,
    set_grants,
    set_password,
)
from bridge.approvals.service import announce_waiting_steps
from bridge.audit.service import record
from bridge.departments.service import all_departments
from bridge.panel import db, get_or_404
from bridge.panel.forms import UserForm
from bridge.panel.i18n import current_language
from bridge.panel.views.sync import acting_user

blueprint = Blueprint("users", __name__, url_prefix="/users")


def describe(user: PanelUser) -> dict[str, Any]:
    """What the audit log keeps of an account (never its password hash)."""
    return {
        "email": user.email,
        "name": user.display_name,
        "active": user.active,
        "roles": sorted(
            f"{g.role}:{g.department_id}" if g.department_id else g.role for g in user.grants
        ),
    }


def _form(user: PanelUser | None = None) -> UserForm:
    form = UserForm(obj=user)
    language = current_language()
    form.departments.choices = [
        SelectChoice(department.id, f"{department.acronym} — {department.name(language)}")
        for department in all_departments(db())
    ]
    if user is not None and not form.is_submitted():
        form.roles.data = sorted(role.value for role in user.roles)
        form.departments.data = sorted(user.named_departments())
    return form


def _grants(form: UserForm) -> list[tuple[Role, int | None]]:
    return grants_for(map(Role, form.roles.data or []), form.departments.data or [])


@blueprint.route("/")
def index() -> Any:
    database = db()
    users = database.scalars(select(PanelUser).order_by(PanelUser.email)).all()
    acronyms = {department.id: department.acronym for department in all_departments(database)}
    approves = {
        user.id: sorted(acronyms[department] for department in user.named_departments())
        for user in users
    }
    return render_template("users/index.html", users=users, approves=approves)


@blueprint.route("/new", methods=["GET", "POST"])
def create() -> Any:
    form = _form()
    if form.validate_on_submit():
        database = db()
        try:
            user = create_user(
                database,
                form.email.data or "",
                form.display_name.data or "",
                form.password.data or None,
                _grants(form),
            )
            set_active(user, form.active.data)
        except AccountError:
            form.email.errors = [
                *form.email.errors,
                _("An account with this e-mail address exists already."),
            ]
            database.rollback()
        else:
            record(
                database, acting_user(), "user.created", "panel_user", user.id, after=describe(user)
            )
            announce_waiting_steps(database, user.department_ids(Role.APPROVER))
            database.commit()
            flash(_("The account was created."), "info")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None), 400 if form.errors else 200


@blueprint.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int) -> Response | Any:
    database = db()
    user = get_or_404(PanelUser, user_id)
    form = _form(user)
    if form.validate_on_submit():
        before = describe(user)
        user.display_name = form.display_name.data or user.display_name
        set_active(user, form.active.data)
        set_grants(user, _grants(form))
        if form.password.data:
            set_password(user, form.password.data)
        record(
            database,
            acting_user(),
            "user.updated",
            "panel_user",
            user.id,
            before=before,
            after=describe(user),
        )
        announce_waiting_steps(database, user.department_ids(Role.APPROVER))
        database.commit()
        flash(_("The account was saved."), "info")
        return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user), 400 if form.errors else 200
