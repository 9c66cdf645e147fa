"""Awards: as the sync derived them, their export record and delivery to each sink, what
procurement staff complete (coding, amendments, termination), disclosure reports, and the
deliveries that failed for good with a button to try again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask import request as http_request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Field, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice

from adapters.registry import rule_pipeline
from bridge.accounts.models import Role
from bridge.approvals.flow import department_of
from bridge.audit.service import record
from bridge.contracts.issuing import contract_of, issue_amendments
from bridge.departments.service import all_departments
from bridge.exports.build import NOT_EXPORTABLE, NotExportable
from bridge.exports.delivery import try_again
from bridge.exports.formats.disclosure import INDIVIDUAL_TABLE, load_table
from bridge.exports.models import Delivery, DeliveryState, ExportedAward
from bridge.exports.outbox import current_record, delivery_states, held_back_ids
from bridge.exports.record import AwardRecord, from_document
from bridge.exports.reports import InvalidReport, disclosure_report
from bridge.exports.staff import (
    CodingRefused,
    code_problem,
    editable_fields,
    effective_coding,
    record_amendment,
    save_coding,
)
from bridge.exports.staff import terminate as terminate_award
from bridge.panel import db, get_or_404
from bridge.panel.exporting import deliver_soon, rebuild
from bridge.panel.forms import AmendmentForm, ReportForm, TerminationForm
from bridge.panel.i18n import current_language, number
from bridge.panel.params import page_number, page_size
from bridge.panel.scope import may_handle_award, procurement_departments
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.contracts import may_issue
from bridge.panel.views.sync import acting_user
from bridge.settings import Settings
from bridge.sync.models import Award
from bridge.sync.queries import awards_page

blueprint = Blueprint("awards", __name__, url_prefix="/awards")

STATE_LABELS: dict[str, Any] = {
    DeliveryState.PENDING.value: _l("Waiting to be delivered"),
    DeliveryState.RETRYING.value: _l("Being retried"),
    DeliveryState.DELIVERED.value: _l("Delivered"),
    DeliveryState.DEAD.value: _l("Failed for good"),
}
EDITORS = frozenset({Role.ADMIN, Role.PROCUREMENT})


def _settings() -> Settings:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings


@blueprint.route("/")
def index() -> Any:
    database = db()
    page = awards_page(database, page_number(), page_size())
    ids = [award.opportunity_id for award in page.items]
    return render_template(
        "awards/index.html",
        page=page,
        titles=prefetch_titles(ids),
        exports=delivery_states(database, ids),
        labels=STATE_LABELS,
        one_language=one_language(database, ids),
    )


def missing_languages(record: AwardRecord | None) -> list[str]:
    """The languages a record's disclosure description lacks ("en", "fr"): the portal wants
    both, so staff should have the title translated before the report is due."""
    if record is None:
        return []
    return [
        language
        for language, text in (("en", record.title_en), ("fr", record.title_fr))
        if not text.strip()
    ]


def one_language(database: Session, ids: list[str]) -> set[str]:
    """The awards among ``ids`` whose exported record has a description in one language."""
    rows = database.scalars(
        select(ExportedAward).where(
            ExportedAward.opportunity_id.in_(ids), ExportedAward.record.is_not(None)
        )
    )
    return {
        row.opportunity_id
        for row in rows
        if row.record and missing_languages(from_document(row.record))
    }


def _valid_code(field_id: str) -> Callable[[FlaskForm, Field], None]:
    """The field's value is a code it takes (``code_problem`` decides), or empty."""

    def check(_form: FlaskForm, field: Field) -> None:
        problem = code_problem(field_id, field.data) if field.data else None
        if problem is not None:
            raise ValidationError(_(problem[0], **problem[1]))

    return check


def coding_form(current: dict[str, str], formdata: Any = None) -> FlaskForm:
    """One field per code the staff may set: a list where the table has one (with "not set"
    first, so that a field left empty stays empty), else text checked as the table says.

    Bound to ``formdata`` when posted, so that a refusal shows what was typed beside the error.
    """
    specs = {spec.id: spec for spec in load_table(INDIVIDUAL_TABLE).fields}
    language = current_language()

    class CodingForm(FlaskForm):  # type: ignore[misc]
        pass

    for field_id, codes in editable_fields().items():
        label = specs[field_id].label(language)  # the portal's own, in both languages
        value = current.get(field_id, "")
        check = _valid_code(field_id)
        if codes is None or specs[field_id].type == "_text":
            made: Any = StringField(label, [check], default=value)
        else:
            names = specs[field_id].labels
            choices = [
                SelectChoice("", _("Not set")),
                *(
                    SelectChoice(code, f"{code} — {names[code].get(language, code)}")
                    for code in names
                ),
            ]
            made = SelectField(
                label, [check], choices=choices, default=value, validate_choice=False
            )
        setattr(CodingForm, field_id, made)
    return CodingForm(formdata=formdata)


@blueprint.route("/<opportunity_id>")
def detail(opportunity_id: str) -> Any:
    return _detail_page(opportunity_id)


def _detail_page(opportunity_id: str, posted: FlaskForm | None = None) -> Any:
    database = db()
    get_or_404(Award, opportunity_id)
    exported = database.get(ExportedAward, opportunity_id)
    try:
        record = current_record(database, opportunity_id, _settings())
        problem = None
    except NotExportable as refused:
        record, problem = None, _(NOT_EXPORTABLE[refused.code])
    deliveries = database.scalars(
        select(Delivery)
        .where(Delivery.opportunity_id == opportunity_id)
        .order_by(Delivery.id.desc())
    )
    editor = bool(EDITORS & acting_roles()) and _handles(opportunity_id)
    coding = posted
    if coding is None and editor and record:
        coding = coding_form(effective_coding(database, opportunity_id))
    return render_template(
        "awards/detail.html",
        record=record,
        problem=problem,
        exported=exported,
        held_back=exported.problem if record and exported and exported.problem else None,
        missing=missing_languages(record),
        deliveries=list(deliveries),
        labels=STATE_LABELS,
        editor=editor,
        coding=coding if editor and record else None,
        amendment=AmendmentForm(),
        termination=TerminationForm(),
        titles=prefetch_titles([opportunity_id]),
        opportunity_id=opportunity_id,
        contract=contract_of(database, opportunity_id),
        issuer=may_issue(opportunity_id),
    ), (400 if posted is not None else 200)


def _handles(opportunity_id: str) -> bool:
    return may_handle_award(department_of(db(), opportunity_id))


def _require_handling(opportunity_id: str) -> None:
    """A procurement account limited to departments acts on their awards only."""
    get_or_404(Award, opportunity_id)
    if not _handles(opportunity_id):
        abort(403)


def acting_roles() -> frozenset[Role]:
    from flask_login import current_user

    roles: frozenset[Role] = current_user.account.roles
    return roles


def _back(opportunity_id: str) -> WerkzeugResponse:
    return redirect(url_for("awards.detail", opportunity_id=opportunity_id))


@blueprint.route("/<opportunity_id>/coding", methods=["POST"])
def coding(opportunity_id: str) -> Any:
    database = db()
    _require_handling(opportunity_id)
    form = coding_form(effective_coding(database, opportunity_id), formdata=http_request.form)
    if not form.validate():
        return _detail_page(opportunity_id, posted=form)
    values = {name: (form[name].data or "").strip() for name in editable_fields()}
    try:
        changed = save_coding(
            database,
            opportunity_id,
            {k: v for k, v in values.items() if v},
            _settings(),
            acting_user(),
        )
    except CodingRefused as refused:  # the form checks the same lists: a stale page
        database.rollback()
        form[refused.field].errors = [_("Choose a code from its list.")]
        return _detail_page(opportunity_id, posted=form)
    database.commit()
    if changed:
        flash(_("Coding saved; a corrected record goes to every sink."), "success")
    else:
        flash(_("The coding is unchanged; no new revision of the record."), "info")
    return _back(opportunity_id)


@blueprint.route("/<opportunity_id>/amendments", methods=["POST"])
def amend(opportunity_id: str) -> WerkzeugResponse:
    database = db()
    _require_handling(opportunity_id)
    form = AmendmentForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back(opportunity_id)
    record_amendment(
        database,
        opportunity_id,
        form.change.data,
        form.effective_on.data,
        form.reason.data.strip(),
        _settings(),
        acting_user(),
        rule_pipeline(),
    )
    # A contract issued already gets its amendment now, in the same transaction.
    issue_amendments(database, acting_user(), _settings().zone, opportunity_id=opportunity_id)
    database.commit()
    flash(_("Amendment recorded; the rules and the exports follow it."), "success")
    return _back(opportunity_id)


@blueprint.route("/<opportunity_id>/termination", methods=["POST"])
def terminate(opportunity_id: str) -> WerkzeugResponse:
    database = db()
    _require_handling(opportunity_id)
    form = TerminationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back(opportunity_id)
    terminate_award(database, opportunity_id, form.terminated_on.data, _settings(), acting_user())
    database.commit()
    flash(_("Termination recorded; a corrected record goes to every sink."), "success")
    return _back(opportunity_id)


@blueprint.route("/export", methods=["POST"])
@blueprint.route("/<opportunity_id>/export", methods=["POST"])
def export_now(opportunity_id: str | None = None) -> WerkzeugResponse:
    """Procurement staff need not wait for the hourly export: build the record (or every one
    held back) now, and start delivering."""
    database = db()
    if opportunity_id is not None:
        _require_handling(opportunity_id)
        built = rebuild([opportunity_id])
    elif procurement_departments() is None:
        built = rebuild(None)
    else:  # every record held back in the user's departments
        built = rebuild([held for held in held_back_ids(database) if _handles(held)])
    record(
        database,
        acting_user(),
        "export.requested",
        "award",
        opportunity_id or "*",
        after={"deliveries": built},
    )
    database.commit()
    exported = database.get(ExportedAward, opportunity_id) if opportunity_id else None
    if exported is not None and exported.problem:
        # The problem is a catalog message (no department), or an invalid export's own words.
        flash(
            _("The record cannot be delivered yet: %(problem)s", problem=_(exported.problem)),
            "error",
        )
    else:
        summary = (
            _("Deliveries of new record revisions queued: %(number)s.", number=number(built))
            if built
            else _("No record changed since its last export.")
        )
        flash(f"{summary} {deliver_soon()}", "success")
    if opportunity_id is None:
        return redirect(url_for("awards.index"))
    return _back(opportunity_id)


@blueprint.route("/reports")
def reports() -> Any:
    form = ReportForm(http_request.args)
    language = current_language()
    mine = procurement_departments()
    form.department.choices = [
        SelectChoice(d.acronym, f"{d.acronym} — {d.name(language)}")
        for d in all_departments(db())
        if mine is None or d.id in mine
    ]
    problems = []
    if http_request.args and form.validate():
        try:
            report = disclosure_report(db(), form.period.data, form.department.data)
        except InvalidReport as invalid:
            problems = invalid.errors
        else:
            data = report.csv() if form.format.data == "csv" else report.json()
            kind = "text/csv" if form.format.data == "csv" else "application/json"
            filename = f"{report.name}.{form.format.data}"
            return Response(
                data,
                mimetype=f"{kind}; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
    status = 400 if form.errors or problems else 200
    return render_template("awards/reports.html", form=form, problems=problems), status


@blueprint.route("/deliveries")
def deliveries() -> Any:
    state = http_request.args.get("state", DeliveryState.DEAD.value)
    if state not in STATE_LABELS:
        state = DeliveryState.DEAD.value
    rows = list(
        db().scalars(
            select(Delivery).where(Delivery.state == state).order_by(Delivery.id.desc()).limit(200)
        )
    )
    titles = prefetch_titles(row.opportunity_id for row in rows)
    return render_template(
        "awards/deliveries.html", rows=rows, state=state, labels=STATE_LABELS, titles=titles
    )


@blueprint.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
def retry(delivery_id: int) -> WerkzeugResponse:
    database = db()
    get_or_404(Delivery, delivery_id)
    try:
        try_again(database, delivery_id, acting_user())
    except LookupError:
        flash(_("This delivery has not failed for good."), "error")
        return redirect(url_for("awards.deliveries"))
    database.commit()
    flash(_("The delivery will be tried again at the next export run."), "success")
    return redirect(url_for("awards.deliveries"))
