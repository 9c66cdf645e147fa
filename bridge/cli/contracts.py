"""``gc-bridge contracts``: every step after the award, from the command line.

Each step that needs a duty names the person who takes it (``--as EMAIL``, a panel account):
the same separation of duties holds here as in the panel, and the audit log names that person.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bridge.cli.context import Context, pass_context

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bridge.accounts.models import PanelUser
    from bridge.contracts.issuing import MilestonePlan
    from bridge.contracts.progress import Event

acting = click.option(
    "--as", "email", required=True, help="E-mail of the panel account taking this step."
)


@click.group()
def contracts() -> None:
    """Contracts, delivered work, acceptance (FAA s.34) and payment (s.33)."""


@contextmanager
def step(context: Context) -> Iterator[Session]:
    """A transaction in which a refused step is a message, not a traceback (nothing is kept)."""
    from bridge.contracts.duties import DutyRefused
    from bridge.contracts.issuing import ContractRefused
    from bridge.contracts.terms import TermRefused
    from bridge.db.engine import session_factory, transaction
    from bridge.exports.build import NotExportable

    try:
        with transaction(session_factory(context.migrated_engine())) as session:
            yield session
    except (ContractRefused, DutyRefused, TermRefused, NotExportable, LookupError) as refused:
        raise click.ClickException(_refusal(refused)) from None


def _refusal(refused: Exception) -> str:
    if isinstance(refused, LookupError):
        return f"not found: {refused.args[0] if refused.args else refused}"
    return str(refused)


def person(session: Session, email: str) -> PanelUser:
    from sqlalchemy import select

    from bridge.accounts.models import PanelUser
    from bridge.accounts.service import normalize_email

    user = session.scalar(select(PanelUser).where(PanelUser.email == normalize_email(email)))
    if user is None or not user.active:
        raise click.ClickException(f"no active panel account {email}")
    return user


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _milestones(values: tuple[str, ...]) -> list[MilestonePlan] | None:
    from bridge.contracts.issuing import MilestonePlan

    plans = []
    for value in values:
        parts = value.split("|")
        try:
            english, french, amount = parts
            plans.append(MilestonePlan(english, french, Decimal(amount.strip())))
        except (ValueError, InvalidOperation):
            raise click.BadParameter(
                f"{value!r}: give 'English name|French name|value before taxes'"
            ) from None
    return plans or None


@contracts.command("issue")
@click.argument("opportunity_id")
@click.option(
    "--milestone",
    "milestones",
    multiple=True,
    help="'English name|French name|value before taxes', once per milestone (default: one).",
)
@click.option("--business-number", default=None, help="The supplier's business number.")
@acting
@pass_context
def issue_command(
    context: Context,
    opportunity_id: str,
    milestones: tuple[str, ...],
    business_number: str | None,
    email: str,
) -> None:
    """Issue the contract of an awarded opportunity (procurement staff)."""
    from bridge.contracts.issuing import issue

    plans = _milestones(milestones)
    with step(context) as session:
        contract = issue(
            session,
            person(session, email),
            opportunity_id,
            context.settings.zone,
            milestones=plans,
            business_number=business_number,
        )
        click.echo(f"issued {contract.number}: {contract.total} $ ({contract.taxes} $ GST/HST)")


@contracts.command("list")
@pass_context
def list_command(context: Context) -> None:
    """Every contract: number, supplier, total, signature, milestones accepted and paid."""
    from sqlalchemy import select

    from bridge.contracts.models import Contract
    from bridge.contracts.progress import progress_of

    with step(context) as session:
        for contract in session.scalars(select(Contract).order_by(Contract.number)):
            state = progress_of(session, contract)
            signed = contract.signed_on.isoformat() if contract.signed_on else "not signed"
            done = f"accepted {state.accepted}/{state.milestones}, paid {state.paid}"
            click.echo(
                f"{contract.number}  {contract.supplier_name}  {contract.total} $  {signed}  {done}"
            )


@contracts.command("show")
@click.argument("number")
@click.option(
    "--amendment", type=int, default=None, help="An amendment's document (default: the last)."
)
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_context
def show_command(
    context: Context,
    number: str,
    amendment: int | None,
    pdf_path: Path | None,
    html_path: Path | None,
) -> None:
    """A contract's documents and work; write a document's PDF or HTML to a file."""
    from bridge.contracts.issuing import by_number, documents_of
    from bridge.contracts.progress import timeline

    with step(context) as session:
        contract = by_number(session, number)
        documents = documents_of(session, contract)
        chosen = (
            documents[-1]
            if amendment is None
            else next((item for item in documents if item.amendment == amendment), None)
        )
        if chosen is None:
            raise click.ClickException(f"{number} has no amendment {amendment}")
        for document in documents:
            name = "contract" if document.amendment == 0 else f"amendment {document.amendment}"
            click.echo(f"{name}: {document.total} $  sha256 {document.sha256}")
        for event in timeline(session, contract, context.settings.zone):
            click.echo(f"  {event.day.isoformat()}  {event.kind:<12} {_described(event)}")
        if pdf_path is not None:
            pdf_path.write_bytes(chosen.pdf)
        if html_path is not None:
            html_path.write_text(chosen.html, encoding="utf-8")


def _described(event: Event) -> str:
    """What a timeline step concerns, in the command line's English."""
    parts = [f"milestone {event.milestone}"] if event.milestone is not None else []
    parts += [part for part in (event.subject, f"by {event.who}" if event.who else "") if part]
    if event.amount is not None:
        parts.append(f"{event.amount} $")
    if event.due is not None:
        parts.append(f"due {event.due.isoformat()}")
    if event.note:
        parts.append(f"({event.note})")
    return " ".join(parts)


@contracts.command("send")
@click.argument("number")
@acting
@pass_context
def send_command(context: Context, number: str, email: str) -> None:
    """Send the contract's latest document to the supplier through the notifier."""
    from bridge.contracts.issuing import by_number, send

    with step(context) as session:
        queued = send(session, person(session, email), by_number(session, number))
    click.echo(f"{number}: {queued} message(s) queued to the supplier")


@contracts.command("sign")
@click.argument("number")
@click.option(
    "--on", "signed_on", required=True, help="The supplier's signature date (YYYY-MM-DD)."
)
@acting
@pass_context
def sign_command(context: Context, number: str, signed_on: str, email: str) -> None:
    """Record the day the supplier signed the contract."""
    from bridge.contracts.issuing import by_number, record_signature

    with step(context) as session:
        record_signature(
            session,
            person(session, email),
            by_number(session, number),
            _day(signed_on),
            context.settings.zone,
        )
    click.echo(f"{number}: signed on {signed_on}")


@contracts.command("deliver")
@click.argument("number")
@click.option("--milestone", type=int, default=1, show_default=True)
@click.option("--url", required=True, help="The merged pull request or commit.")
@click.option("--invoice", "invoice_number", required=True, help="The supplier's invoice number.")
@click.option("--invoice-date", required=True, help="YYYY-MM-DD")
@click.option("--received", required=True, help="The day the invoice was received (YYYY-MM-DD).")
@click.option("--note", default="")
@click.option("--attachment", "attachments", multiple=True, help="An attachment's name.")
@acting
@pass_context
def deliver_command(
    context: Context,
    number: str,
    milestone: int,
    url: str,
    invoice_number: str,
    invoice_date: str,
    received: str,
    note: str,
    attachments: tuple[str, ...],
    email: str,
) -> None:
    """Record delivered work and ask for its acceptance (business owner)."""
    from bridge.contracts.acceptance import Invoice, record_delivery
    from bridge.contracts.issuing import by_number

    invoice = Invoice(invoice_number, _day(invoice_date), _day(received))
    with step(context) as session:
        work = record_delivery(
            session,
            person(session, email),
            by_number(session, number),
            milestone=milestone,
            url=url,
            invoice=invoice,
            zone=context.settings.zone,
            note=note,
            attachments=list(attachments),
        )
        click.echo(f"delivery {work.id} of {number} waits for acceptance")


def _decide(context: Context, delivery_id: int, email: str, *, accept: bool, reason: str) -> None:
    from bridge.contracts.acceptance import decide
    from bridge.contracts.models import WorkDelivery

    with step(context) as session:
        work = session.get(WorkDelivery, delivery_id)
        if work is None:
            raise LookupError(f"delivery {delivery_id}")
        decide(
            session, person(session, email), work, context.settings, accept=accept, reason=reason
        )


@contracts.command("accept")
@click.argument("delivery_id", type=int)
@acting
@pass_context
def accept_command(context: Context, delivery_id: int, email: str) -> None:
    """Certify under FAA section 34 that the work was performed (a certifier); this makes the
    payment requisition."""
    _decide(context, delivery_id, email, accept=True, reason="")
    click.echo(f"delivery {delivery_id} accepted; its payment requisition is in the outbox")


@contracts.command("refuse")
@click.argument("delivery_id", type=int)
@click.option("--reason", required=True)
@acting
@pass_context
def refuse_command(context: Context, delivery_id: int, reason: str, email: str) -> None:
    """Refuse delivered work, saying why (a certifier)."""
    _decide(context, delivery_id, email, accept=False, reason=reason)
    click.echo(f"delivery {delivery_id} refused")


@contracts.command("pay")
@click.argument("requisition")
@click.option("--on", "paid_on", required=True, help="The payment date (YYYY-MM-DD).")
@click.option("--reference", default="", help="The financial system's payment reference.")
@acting
@pass_context
def pay_command(
    context: Context, requisition: str, paid_on: str, reference: str, email: str
) -> None:
    """Confirm under FAA section 33 that a requisition was paid (finance)."""
    from bridge.contracts.requisitions import by_number, confirm_payment

    with step(context) as session:
        confirm_payment(
            session,
            person(session, email),
            by_number(session, requisition),
            _day(paid_on),
            reference,
            context.settings,
        )
    click.echo(f"{requisition}: paid on {paid_on}")


@contracts.command("import-payments")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def import_payments_command(context: Context, path: Path) -> None:
    """Import the financial system's payment confirmations (CSV: requisition, paid_on,
    payment_reference[, total]); exits non-zero when a row is in error (the others are kept)."""
    from bridge.contracts.requisitions import import_confirmations

    with step(context) as session:
        report = import_confirmations(
            session, path.read_text(encoding="utf-8"), path.name, context.settings
        )
    click.echo(
        f"confirmed: {len(report.confirmed)}, already confirmed: {len(report.already)}, "
        f"errors: {len(report.errors)}"
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.errors:
        sys.exit(1)


@contracts.command("due")
@pass_context
def due_command(context: Context) -> None:
    """Payments due and overdue, and work waiting for acceptance, per department."""
    from bridge.clock import utcnow
    from bridge.contracts.due import due_payments, waiting_acceptances

    today = utcnow().astimezone(context.settings.zone).date()
    with step(context) as session:
        for item in due_payments(session, today):
            when = "OVERDUE" if item.overdue else f"in {item.days_left} days"
            click.echo(
                f"pay {item.requisition.number}  {item.requisition.total} $  "
                f"due {item.requisition.due_on.isoformat()} ({when})"
            )
        for waiting in waiting_acceptances(session, today, context.settings):
            click.echo(
                f"accept delivery {waiting.work.id} of {waiting.contract.number}  "
                f"waiting {waiting.waiting_days} days"
            )


@contracts.command("terms")
@click.option("--set", "assignments", multiple=True, help="KEY=TEXT (administrators).")
@click.option("--as", "email", default=None, help="The administrator setting a term.")
@pass_context
def terms_command(context: Context, assignments: tuple[str, ...], email: str | None) -> None:
    """Show the terms contracts are issued with; an administrator rewords one with --set."""
    from bridge.accounts.models import Role
    from bridge.audit.service import Actor
    from bridge.contracts.terms import effective_terms, set_term

    with step(context) as session:
        if assignments:
            if email is None:
                raise click.UsageError("--set needs --as, the administrator's e-mail")
            user = person(session, email)
            if Role.ADMIN not in user.roles:
                raise click.ClickException("only an administrator sets the contracts' terms")
            for assignment in assignments:
                key, _, text = assignment.partition("=")
                set_term(session, Actor.user(user.id, user.display_name), key.strip(), text)
        for key, text in sorted(effective_terms(session).items()):
            click.echo(f"{key} = {text}")


@contracts.command("run")
@pass_context
def run_command(context: Context) -> None:
    """Issue the contract amendments awaited and queue the reminders due, now (the scheduler
    does it every hour)."""
    from bridge.db.engine import session_factory
    from bridge.jobs.contracts import ContractJobs

    jobs = ContractJobs(session_factory(context.migrated_engine()), context.settings)
    amended, reminded = jobs.run()
    click.echo(f"contract amendments issued: {amended}, reminders queued: {reminded}")
