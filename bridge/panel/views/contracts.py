"""After the award: issue the contract, send it, record the signature; record delivered work
and decide on it (FAA s.34); confirm payments (s.33) one by one or from the financial system's
file; see what is due; word the contracts' terms.

Each page is open to the roles of the access table; each step is taken by the person the
contracts domain's separation of duties allows, and a refusal says why in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask import request as http_request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import TextAreaField

from bridge.accounts.models import PanelUser, Role
from bridge.approvals.flow import department_of
from bridge.clock import utcnow
from bridge.contracts.acceptance import Invoice, decide, record_delivery
from bridge.contracts.due import by_department, due_payments, waiting_acceptances
from bridge.contracts.duties import DutyRefused, holds
from bridge.contracts.issuing import (
    ContractRefused,
    MilestonePlan,
    by_number,
    contract_of,
    documents_of,
    issue,
    milestones_of,
    record_signature,
    send,
)
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery, WorkState
from bridge.contracts.progress import progress_of, timeline
from bridge.contracts.requisitions import confirm_payment, import_confirmations
from bridge.contracts.terms import TermRefused, effective_terms, set_term, shipped_terms
from bridge.departments.models import Department
from bridge.exports.build import NOT_EXPORTABLE, NotExportable
from bridge.panel import db, get_or_404
from bridge.panel.contract_forms import (
    DeliveryForm,
    IssueForm,
    PaymentForm,
    PaymentImportForm,
    SignatureForm,
    WorkDecisionForm,
)
from bridge.panel.labels import TERM_LABELS
from bridge.panel.scope import can
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.sync import acting_user
from bridge.settings import Settings
from bridge.sync.models import Award

blueprint = Blueprint("contracts", __name__, url_prefix="/contracts")

FINANCIAL_ROLES = (Role.PROCUREMENT, Role.OWNER, Role.CERTIFIER, Role.FINANCE)


def _settings() -> Settings:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings


def _account() -> PanelUser:
    account: PanelUser = current_user.account
    return account


def _departments() -> frozenset[int] | None:
    """The departments whose contracts the user reads; ``None`` for all (administrators and
    procurement staff whose account names no department)."""
    account = _account()
    if Role.ADMIN in account.roles or (
        Role.PROCUREMENT in account.roles and not account.department_ids(Role.PROCUREMENT)
    ):
        return None
    return account.named_departments()


def may_read(contract: Contract) -> bool:
    """Whether the signed-in user may read ``contract`` (its page, its timeline elsewhere)."""
    if not can("contracts.detail"):
        return False
    departments = _departments()
    return departments is None or contract.department_id in departments


def _readable(contract: Contract) -> Contract:
    if not may_read(contract):
        abort(403)
    return contract


def _contract(number: str) -> Contract:
    try:
        return _readable(by_number(db(), number))
    except LookupError:
        abort(404)


def _refused(problem: Exception) -> None:
    """A step the domain refused, said in the reader's language (its messages are catalog
    messages)."""
    db().rollback()
    flash(_(str(problem)), "error")


def _back(contract: Contract) -> WerkzeugResponse:
    return redirect(url_for("contracts.detail", number=contract.number))


def _take(contract: Contract, step: Callable[[], object], done: str) -> WerkzeugResponse:
    """Take one step on the contract: committed and said when done, rolled back and its refusal
    said when the domain refuses it; back to the contract's page either way."""
    try:
        step()
    except (ContractRefused, DutyRefused) as refused:
        _refused(refused)
        return _back(contract)
    db().commit()
    flash(done, "success")
    return _back(contract)


@blueprint.route("/")
def index() -> Any:
    database = db()
    departments = _departments()
    query = select(Contract).order_by(Contract.issued_at.desc()).limit(200)
    if departments is not None:
        query = query.where(Contract.department_id.in_(list(departments)))
    contracts = list(database.scalars(query))
    today = utcnow().astimezone(_settings().zone).date()
    payments = due_payments(database, today, departments)
    return render_template(
        "contracts/index.html",
        contracts=[(contract, progress_of(database, contract)) for contract in contracts],
        titles=prefetch_titles(contract.opportunity_id for contract in contracts),
        payments=payments,
        owed=by_department(payments),
        waiting=waiting_acceptances(database, today, _settings(), departments),
        acronyms=dict(iter(database.execute(select(Department.id, Department.acronym)))),
    )


def _issue_page(opportunity_id: str, form: IssueForm, status: int = 200) -> Any:
    database = db()
    award = get_or_404(Award, opportunity_id)
    existing = contract_of(database, opportunity_id)
    if existing is not None:
        return _back(existing)
    return render_template(
        "contracts/new.html",
        award=award,
        form=form,
        titles=prefetch_titles([opportunity_id]),
        opportunity_id=opportunity_id,
    ), status


@blueprint.route("/new/<opportunity_id>")
def new(opportunity_id: str) -> Any:
    return _issue_page(opportunity_id, IssueForm())


def _plans(form: IssueForm) -> list[MilestonePlan] | None:
    """The rows filled in; a row half filled is an error on its own fields."""
    plans, complete = [], True
    for row in form.milestones:
        if row.form.is_blank():
            continue
        for name in ("name_en", "name_fr"):
            if not (row.form[name].data or "").strip():
                row.form[name].errors = [_("Name the milestone in both languages.")]
                complete = False
        if row.form.value.data is None:
            row.form.value.errors = [_("Enter the milestone's value before taxes.")]
            complete = False
        elif complete:
            value = Decimal(row.form.value.data).quantize(Decimal("0.01"))
            plans.append(MilestonePlan(row.form.name_en.data, row.form.name_fr.data, value))
    if not complete:
        raise ValueError("incomplete milestones")
    return plans or None


@blueprint.route("/new/<opportunity_id>", methods=["POST"])
def issue_contract(opportunity_id: str) -> Any:
    database = db()
    get_or_404(Award, opportunity_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _issue_page(opportunity_id, form, 400)
    try:
        plans = _plans(form)
    except ValueError:
        return _issue_page(opportunity_id, form, 400)
    try:
        contract = issue(
            database,
            _account(),
            opportunity_id,
            _settings().zone,
            milestones=plans,
            business_number=form.business_number.data,
        )
    except NotExportable as refused:
        database.rollback()
        flash(_(NOT_EXPORTABLE[refused.code]), "error")
        return _issue_page(opportunity_id, form, 400)
    except (ContractRefused, DutyRefused) as refused:
        _refused(refused)
        return _issue_page(opportunity_id, form, 400)
    database.commit()
    flash(_("Contract %(number)s issued.", number=contract.number), "success")
    return _back(contract)


def _detail_page(contract: Contract, status: int = 200, **forms: Any) -> Any:
    database = db()
    account = _account()
    milestones = milestones_of(database, contract)
    works = list(
        database.scalars(
            select(WorkDelivery)
            .where(WorkDelivery.contract_id == contract.id)
            .order_by(WorkDelivery.id)
        )
    )
    requisitions = list(
        database.scalars(
            select(PaymentRequisition)
            .where(PaymentRequisition.contract_id == contract.id)
            .order_by(PaymentRequisition.id)
        )
    )
    delivery = forms.get("delivery") or DeliveryForm()
    delivery.milestone.choices = [
        (
            milestone.position,
            f"{milestone.position}. {milestone.name_fr if _fr() else milestone.name_en}",
        )
        for milestone in milestones
    ]
    return render_template(
        "contracts/detail.html",
        contract=contract,
        department=database.get(Department, contract.department_id),
        documents=documents_of(database, contract),
        milestones=milestones,
        works=works,
        requisitions=requisitions,
        events=timeline(database, contract, _settings().zone),
        titles=prefetch_titles([contract.opportunity_id]),
        may={role.value: holds(account, role, contract.department_id) for role in FINANCIAL_ROLES},
        awaiting=WorkState.AWAITING.value,
        signature=forms.get("signature") or SignatureForm(),
        delivery=delivery,
        # A form for each decision and each payment on the page, each with ids of its own.
        decisions={work.id: decision_form(work.id, None) for work in works},
        payments={
            requisition.id: forms.get("payment")
            if forms.get("paying") == requisition.id
            else payment_form(requisition.id, None)
            for requisition in requisitions
        },
    ), status


def decision_form(work_id: int, formdata: Any = ...) -> WorkDecisionForm:
    """``formdata=None`` for an empty form; left out, the request's."""
    kwargs = {} if formdata is ... else {"formdata": formdata}
    return WorkDecisionForm(prefix=f"work{work_id}", **kwargs)


def payment_form(requisition_id: int, formdata: Any = ...) -> PaymentForm:
    kwargs = {} if formdata is ... else {"formdata": formdata}
    return PaymentForm(prefix=f"requisition{requisition_id}", **kwargs)


def _fr() -> bool:
    from bridge.panel.i18n import current_language

    return current_language() == "fr"


@blueprint.route("/<number>")
def detail(number: str) -> Any:
    return _detail_page(_contract(number))


@blueprint.route("/<number>/documents/<int:amendment>.<kind>")
def document(number: str, amendment: int, kind: str) -> Any:
    contract = _contract(number)
    found = next((d for d in documents_of(db(), contract) if d.amendment == amendment), None)
    if found is None or kind not in ("pdf", "html"):
        abort(404)
    name = contract.number if amendment == 0 else f"{contract.number}-A{amendment}"
    if kind == "pdf":
        return Response(
            found.pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return Response(
        found.html,
        mimetype="text/html; charset=utf-8",
        # The document stands alone: no script, nothing loaded from elsewhere.
        headers={
            "Content-Disposition": f'attachment; filename="{name}.html"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@blueprint.route("/<number>/send", methods=["POST"])
def send_contract(number: str) -> WerkzeugResponse:
    contract = _contract(number)
    return _take(
        contract,
        lambda: send(db(), _account(), contract),
        _("The contract goes to the supplier's contact by the next message run."),
    )


@blueprint.route("/<number>/signature", methods=["POST"])
def sign(number: str) -> Any:
    contract = _contract(number)
    form = SignatureForm()
    if not form.validate_on_submit():
        return _detail_page(contract, 400, signature=form)
    return _take(
        contract,
        lambda: record_signature(db(), _account(), contract, form.signed_on.data, _settings().zone),
        _("Signature date recorded."),
    )


@blueprint.route("/<number>/deliveries", methods=["POST"])
def deliver(number: str) -> Any:
    contract = _contract(number)
    form = DeliveryForm()
    form.milestone.choices = [(m.position, str(m.position)) for m in milestones_of(db(), contract)]
    if not form.validate_on_submit():
        return _detail_page(contract, 400, delivery=form)
    invoice = Invoice(
        form.invoice_number.data, form.invoice_date.data, form.invoice_received_on.data
    )
    try:
        record_delivery(
            db(),
            _account(),
            contract,
            milestone=form.milestone.data,
            url=form.url.data,
            invoice=invoice,
            zone=_settings().zone,
            note=form.note.data or "",
            attachments=(form.attachments.data or "").split(","),
        )
    except (ContractRefused, DutyRefused) as refused:
        _refused(refused)
        return _detail_page(contract, 400, delivery=form)
    db().commit()
    flash(_("Delivered work recorded; the certifiers are asked to accept it."), "success")
    return _back(contract)


@blueprint.route("/<number>/deliveries/<int:delivery_id>/decision", methods=["POST"])
def decide_work(number: str, delivery_id: int) -> WerkzeugResponse:
    contract = _contract(number)
    work = get_or_404(WorkDelivery, delivery_id)
    if work.contract_id != contract.id:
        abort(404)
    form = decision_form(work.id)
    accept = http_request.form.get("decision") == "accept"
    if not form.validate_on_submit() or http_request.form.get("decision") not in (
        "accept",
        "refuse",
    ):
        flash(_("Choose to accept or to refuse the work."), "error")
        return _back(contract)
    return _take(
        contract,
        lambda: decide(
            db(), _account(), work, _settings(), accept=accept, reason=form.reason.data or ""
        ),
        _("Work accepted; its payment requisition goes to finance.")
        if accept
        else _("Work refused; the business owner is told why."),
    )


@blueprint.route("/<number>/requisitions/<int:requisition_id>/payment", methods=["POST"])
def pay(number: str, requisition_id: int) -> Any:
    contract = _contract(number)
    requisition = get_or_404(PaymentRequisition, requisition_id)
    if requisition.contract_id != contract.id:
        abort(404)
    form = payment_form(requisition.id)
    if not form.validate_on_submit():
        return _detail_page(contract, 400, payment=form, paying=requisition.id)
    return _take(
        contract,
        lambda: confirm_payment(
            db(), _account(), requisition, form.paid_on.data, form.reference.data or "", _settings()
        ),
        _("Payment of %(number)s confirmed.", number=requisition.number),
    )


@blueprint.route("/payments/import", methods=["GET", "POST"])
def import_payments() -> Any:
    form = PaymentImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("The file is not UTF-8 text.")]
        else:
            report = import_confirmations(
                db(), text, upload.filename or "upload.csv", _settings(), user=_account()
            )
            db().commit()
    status = 400 if form.errors else 200
    return render_template("contracts/import.html", form=form, report=report), status


def terms_form(values: dict[str, str], formdata: Any = None) -> FlaskForm:
    """A text area per term, labelled by its key (the wording administrators edit)."""

    class TermsForm(FlaskForm):  # type: ignore[misc]
        pass

    for key in shipped_terms():
        setattr(TermsForm, key, TextAreaField(TERM_LABELS.get(key, key), default=values[key]))
    return TermsForm(formdata=formdata)


@blueprint.route("/terms", methods=["GET", "POST"])
def terms() -> Any:
    database = db()
    current = effective_terms(database)
    if http_request.method == "GET":
        return render_template("contracts/terms.html", form=terms_form(current))
    form = terms_form(current, formdata=http_request.form)
    if not form.validate():
        return render_template("contracts/terms.html", form=form), 400
    for key in shipped_terms():
        value = form[key].data or ""
        if value.strip() == current[key]:
            continue
        try:
            set_term(database, acting_user(), key, value)
        except TermRefused as refused:
            form[key].errors = [_(str(refused))]
    if form.errors:
        database.rollback()
        return render_template("contracts/terms.html", form=form), 400
    database.commit()
    flash(_("Terms saved; contracts issued from now on state them."), "success")
    return redirect(url_for("contracts.terms"))


def may_issue(opportunity_id: str) -> bool:
    """Whether the award page offers to issue its contract to the reader."""
    department_id = department_of(db(), opportunity_id)
    return department_id is not None and holds(_account(), Role.PROCUREMENT, department_id)
