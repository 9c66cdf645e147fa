"""Issuing a contract from an award, its amendments, sending it and recording its signature.

A contract is made from the same record the award's export is built from (texts in both
languages, supplier, department, dates), the amounts as the rule settings say, and the terms
administrators set. Its documents are kept as issued (HTML and PDF) with the PDF's SHA-256 in
the audit log, so what the supplier signed can be proven later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.audit.service import Actor, record
from bridge.awards.models import AwardAmendment
from bridge.clock import utcnow
from bridge.contracts.amounts import Amounts, award_amounts, shares
from bridge.contracts.document import (
    Change,
    ContractView,
    Part,
    digest,
    to_html,
    to_pdf,
)
from bridge.contracts.duties import require_role
from bridge.contracts.marketplace_notes import issued_note, queue
from bridge.contracts.models import (
    Contract,
    ContractDocument,
    Milestone,
    WorkDelivery,
    WorkState,
)
from bridge.contracts.notices import contract_sent
from bridge.contracts.numbering import contract_number, fiscal_year, next_sequence
from bridge.contracts.terms import effective_terms
from bridge.departments.models import Department
from bridge.exports.build import bilingual_texts, build_record
from bridge.notifications.messages import N_
from bridge.rules.settings import load_rule_settings
from bridge.sync.models import Award, Opportunity

BUSINESS_NUMBER = re.compile(r"^\d{9}([A-Z]{2}\d{4})?$")
WHOLE_WORK = ("The work", "Les travaux")


class ContractRefused(ValueError):
    """A contract step that cannot be taken now; the message is a catalog message."""


@dataclass(frozen=True)
class MilestonePlan:
    """A milestone as procurement staff describe it at issue: names and value before taxes."""

    name_en: str
    name_fr: str
    value: Decimal


def contract_of(session: Session, opportunity_id: str) -> Contract | None:
    return session.scalar(select(Contract).where(Contract.opportunity_id == opportunity_id))


def by_number(session: Session, number: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.number == number))
    if contract is None:
        raise LookupError(number)
    return contract


def milestones_of(session: Session, contract: Contract) -> list[Milestone]:
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.contract_id == contract.id)
            .order_by(Milestone.position)
        )
    )


def _plan(plans: list[MilestonePlan] | None, amounts: Amounts) -> list[MilestonePlan]:
    if not plans:
        return [MilestonePlan(*WHOLE_WORK, amounts.value)]
    if any(not plan.name_en.strip() or not plan.name_fr.strip() for plan in plans):
        raise ContractRefused(N_("Every milestone needs a name in English and in French."))
    if any(plan.value <= 0 for plan in plans):
        raise ContractRefused(N_("Every milestone needs a value above zero."))
    if sum(plan.value for plan in plans) != amounts.value:
        raise ContractRefused(
            N_("The milestones' values must add up to the contract's value before taxes.")
        )
    return plans


def _amendments_total(session: Session, opportunity_id: str) -> Decimal:
    rows = session.scalars(
        select(AwardAmendment.amount_change).where(AwardAmendment.opportunity_id == opportunity_id)
    )
    return sum(rows, Decimal("0.00"))


def _view(
    session: Session,
    contract: Contract,
    zone: ZoneInfo,
    issued_on: date,
    change: Change | None = None,
) -> ContractView:
    record_ = build_record(session, contract.opportunity_id, zone)
    opportunity = session.get(Opportunity, contract.opportunity_id)
    assert opportunity is not None
    english, french = bilingual_texts(session, opportunity)
    milestones = milestones_of(session, contract)
    whole = Amounts(contract.value, contract.taxes, contract.total)
    parts = shares(whole, [milestone.value for milestone in milestones])
    return ContractView(
        number=contract.number,
        fiscal_year=contract.fiscal_year,
        issued_on=issued_on,
        department_en=record_.department_name_en,
        department_fr=record_.department_name_fr,
        supplier_name=contract.supplier_name,
        supplier_kind=record_.supplier.kind,
        business_number=contract.supplier_business_number,
        texts_en=english,
        texts_fr=french,
        start_date=record_.start_date,
        end_date=record_.end_date,
        amounts=whole,
        parts=tuple(
            Part(milestone.name_en, milestone.name_fr, amounts)
            for milestone, amounts in zip(milestones, parts, strict=True)
        ),
        terms=contract.terms,
        change=change,
    )


def _keep_document(
    session: Session,
    contract: Contract,
    view: ContractView,
    actor: Actor,
    now: datetime,
    award_amendment_id: int | None = None,
) -> ContractDocument:
    html = to_html(view)
    pdf = to_pdf(html)
    document = ContractDocument(
        contract_id=contract.id,
        amendment=view.change.number if view.change else 0,
        award_amendment_id=award_amendment_id,
        value=contract.value,
        taxes=contract.taxes,
        total=contract.total,
        html=html,
        pdf=pdf,
        sha256=digest(pdf),
        created_at=now,
        created_by=actor.key,
    )
    session.add(document)
    session.flush()
    return document


def issue(
    session: Session,
    user: PanelUser,
    opportunity_id: str,
    zone: ZoneInfo,
    *,
    milestones: list[MilestonePlan] | None = None,
    business_number: str | None = None,
    now: datetime | None = None,
) -> Contract:
    """Issue the contract of an award: numbered, rendered, kept and audited in one transaction."""
    now = now or utcnow()
    award = session.get(Award, opportunity_id)
    if award is None:
        raise ContractRefused(N_("This opportunity has no award."))
    record_ = build_record(session, opportunity_id, zone)  # NotExportable: no department yet
    department = session.scalar(
        select(Department).where(Department.acronym == record_.department_acronym)
    )
    assert department is not None
    require_role(user, Role.PROCUREMENT, department.id)
    if contract_of(session, opportunity_id) is not None:
        raise ContractRefused(N_("This award's contract is already issued."))
    business_number = (business_number or "").strip().upper().replace(" ", "") or None
    if business_number and not BUSINESS_NUMBER.match(business_number):
        raise ContractRefused(
            N_("A business number has 9 digits (e.g. 123456789 or 123456789RT0001).")
        )
    amounts = award_amounts(
        award.amount, load_rule_settings(session), _amendments_total(session, opportunity_id)
    )
    plans = _plan(milestones, amounts)
    issued_on = now.astimezone(zone).date()
    year = fiscal_year(issued_on)
    sequence = next_sequence(session, department.id, year)
    contract = Contract(
        opportunity_id=opportunity_id,
        department_id=department.id,
        fiscal_year=year,
        sequence=sequence,
        number=contract_number(department.acronym, year, sequence),
        supplier_name=record_.supplier.legal_name,
        supplier_email=award.supplier_email,
        supplier_business_number=business_number,
        value=amounts.value,
        taxes=amounts.taxes,
        total=amounts.total,
        terms=effective_terms(session),
        issued_at=now,
        issued_by=Actor.user(user.id, user.display_name).key,
        included_amendments_through=session.scalar(
            select(func.max(AwardAmendment.id)).where(
                AwardAmendment.opportunity_id == opportunity_id
            )
        ),
    )
    session.add(contract)
    session.flush()
    for position, plan in enumerate(plans, start=1):
        session.add(
            Milestone(
                contract_id=contract.id,
                position=position,
                name_en=plan.name_en.strip(),
                name_fr=plan.name_fr.strip(),
                value=plan.value,
            )
        )
    session.flush()
    actor = Actor.user(user.id, user.display_name)
    queue(session, contract, "issued", issued_note(contract, issued_on))
    document = _keep_document(
        session, contract, _view(session, contract, zone, issued_on), actor, now
    )
    record(
        session,
        actor,
        "contract.issued",
        "contract",
        contract.number,
        now=now,
        after={
            "opportunity": opportunity_id,
            "total": str(contract.total),
            "milestones": len(plans),
            "sha256": document.sha256,
        },
    )
    return contract


def accepted_milestones(session: Session, contract: Contract) -> set[int]:
    return set(
        session.scalars(
            select(WorkDelivery.milestone_id).where(
                WorkDelivery.contract_id == contract.id,
                WorkDelivery.state == WorkState.ACCEPTED.value,
            )
        )
    )


def issue_amendments(
    session: Session,
    actor: Actor,
    zone: ZoneInfo,
    now: datetime | None = None,
    opportunity_id: str | None = None,
) -> int:
    """A contract amendment for each award amendment recorded after its contract was issued;
    the change goes to the last milestone not yet accepted. Amendments recorded before the
    contract was issued are in its value already (``included_amendments_through``).
    ``opportunity_id`` limits it to one award's contract. Returns how many were issued."""
    now = now or utcnow()
    query = (
        select(Contract, AwardAmendment)
        .join(AwardAmendment, AwardAmendment.opportunity_id == Contract.opportunity_id)
        .outerjoin(ContractDocument, ContractDocument.award_amendment_id == AwardAmendment.id)
        .where(
            ContractDocument.id.is_(None),
            AwardAmendment.id > func.coalesce(Contract.included_amendments_through, 0),
        )
        .order_by(Contract.id, AwardAmendment.effective_on, AwardAmendment.id)
    )
    if opportunity_id is not None:
        query = query.where(Contract.opportunity_id == opportunity_id)
    pending = session.execute(query).all()
    issued = 0
    for contract, amendment in pending:
        award = session.get(Award, contract.opportunity_id)
        assert award is not None
        before = Amounts(contract.value, contract.taxes, contract.total)
        after = award_amounts(
            award.amount,
            load_rule_settings(session),
            _amendments_total(session, contract.opportunity_id),
        )
        open_milestones = [
            milestone
            for milestone in milestones_of(session, contract)
            if milestone.id not in accepted_milestones(session, contract)
        ]
        change = after.value - before.value
        if not open_milestones or open_milestones[-1].value + change <= 0:
            record(
                session,
                actor,
                "contract.amendment_held",
                "contract",
                contract.number,
                now=now,
                after={"award_amendment": amendment.id, "change": str(change)},
            )
            continue
        open_milestones[-1].value += change
        contract.value, contract.taxes, contract.total = after.value, after.taxes, after.total
        number = 1 + int(
            session.scalar(
                select(ContractDocument.amendment)
                .where(ContractDocument.contract_id == contract.id)
                .order_by(ContractDocument.amendment.desc())
                .limit(1)
            )
            or 0
        )
        view = _view(
            session,
            contract,
            zone,
            now.astimezone(zone).date(),
            Change(
                number, amendment.reason, amendment.effective_on.astimezone(zone).date(), before
            ),
        )
        document = _keep_document(session, contract, view, actor, now, amendment.id)
        record(
            session,
            actor,
            "contract.amended",
            "contract",
            contract.number,
            now=now,
            before={"total": str(before.total)},
            after={"amendment": number, "total": str(after.total), "sha256": document.sha256},
        )
        issued += 1
    return issued


def documents_of(session: Session, contract: Contract) -> list[ContractDocument]:
    return list(
        session.scalars(
            select(ContractDocument)
            .where(ContractDocument.contract_id == contract.id)
            .order_by(ContractDocument.amendment)
        )
    )


def record_signature(
    session: Session,
    user: PanelUser,
    contract: Contract,
    signed_on: date,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> None:
    """The day the supplier signed, as procurement staff received it."""
    now = now or utcnow()
    require_role(user, Role.PROCUREMENT, contract.department_id)
    issued_on = contract.issued_at.astimezone(zone).date()
    if not issued_on <= signed_on <= now.astimezone(zone).date():
        raise ContractRefused(
            N_("The signature date must be between the contract's issue and today.")
        )
    before = contract.signed_on.isoformat() if contract.signed_on else None
    contract.signed_on = signed_on
    record(
        session,
        Actor.user(user.id, user.display_name),
        "contract.signed",
        "contract",
        contract.number,
        now=now,
        before={"signed_on": before},
        after={"signed_on": signed_on.isoformat()},
    )


def send(session: Session, user: PanelUser, contract: Contract, now: datetime | None = None) -> int:
    """The latest document to the supplier's contact through the notifier."""
    now = now or utcnow()
    require_role(user, Role.PROCUREMENT, contract.department_id)
    if not contract.supplier_email:
        raise ContractRefused(N_("The award names no e-mail address for the supplier."))
    latest = documents_of(session, contract)[-1]
    queued = contract_sent(session, contract, latest, now)
    contract.sent_at = now
    record(
        session,
        Actor.user(user.id, user.display_name),
        "contract.sent",
        "contract",
        contract.number,
        now=now,
        after={
            "document": latest.amendment,
            "to": contract.supplier_email,
            "sha256": latest.sha256,
        },
    )
    return queued
