"""Building award records from what the bridge holds.

Moments (the award, the publication) are dated in the bridge's time zone; the marketplace's
calendar dates (start, completion) are the Vancouver days it stores them as. Values follow the
rule settings' tax basis (the disclosure counts taxes in); amendments count in
the order they took effect, each with the taxes its own change adds. The French (or English) side
of each text is the bridge's translation, as the marketplace has only the author's language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.approvals.flow import department_of
from bridge.awards.models import AwardAmendment
from bridge.departments.models import Department
from bridge.exports.record import AmendmentRecord, AwardRecord, SupplierRecord
from bridge.marketplace.commands import marketplace_date
from bridge.notifications.messages import N_
from bridge.rules.money import contract_value
from bridge.rules.settings import RuleSettings, load_rule_settings
from bridge.settings import PROJECT_ROOT
from bridge.sync.models import Award, MarketplaceUser, Opportunity, Organization, Proposal
from bridge.translations.service import authored, field_statuses

CODING_FILE = PROJECT_ROOT / "config" / "exports.toml"
# Proposals that are not bids: never submitted, or taken back.
NOT_BIDS = ("DRAFT", "WITHDRAWN")


# Why an award has no record yet, as the panel words it in the reader's language.
NOT_EXPORTABLE: dict[str, str] = {
    "not_awarded": N_("not awarded"),
    "no_department": N_("no department: assign one in the panel"),
}


class NotExportable(Exception):
    """Why an award cannot have a record yet; ``code`` keys ``NOT_EXPORTABLE``."""

    def __init__(self, code: str) -> None:
        super().__init__(NOT_EXPORTABLE[code])
        self.code = code


@cache
def load_coding(path: Path = CODING_FILE) -> dict[str, dict[str, str]]:
    """kind → field id → code: the shipped defaults merged with each kind's own (read once: every
    record built asks for it)."""
    with path.open("rb") as handle:
        coding = tomllib.load(handle)["coding"]
    kinds: Mapping[str, Mapping[str, str]] = coding.pop("kinds", {})
    return {kind: {**coding, **codes} for kind, codes in kinds.items()}


def _calendar_day(moment: datetime | None) -> date | None:
    """A date the marketplace keeps as a moment (16:00 in Vancouver that day), as that day."""
    return date.fromisoformat(marketplace_date(moment)) if moment is not None else None


def supplier_of(session: Session, award: Award) -> SupplierRecord:
    """Who was awarded: legal name, postal code and country, from the proposal or the
    organization the marketplace keeps."""
    proposal = session.get(Proposal, award.proposal_id) if award.proposal_id else None
    proponent = ((proposal.payload or {}).get("proponent") or {}) if proposal else {}
    details = proponent.get("value") if isinstance(proponent, dict) else None
    details = details if isinstance(details, dict) else {}
    if award.proponent_type == "organization":
        organization = session.get(Organization, award.proponent_id)
        return SupplierRecord(
            key=f"organization:{award.proponent_id}",
            kind="organization",
            legal_name=organization.legal_name if organization else award.supplier_name,
            postal_code=(organization.mail_code if organization else None)
            or details.get("mailCode"),
            country=(organization.country if organization else None) or details.get("country"),
        )
    email = (award.supplier_email or "").strip().lower()
    return SupplierRecord(
        key=f"individual:{email or award.proponent_id}",
        kind="individual",
        legal_name=details.get("legalName") or award.supplier_name,
        postal_code=details.get("mailCode"),
        country=details.get("country"),
    )


def _amendments(
    session: Session, award: Award, settings: RuleSettings, zone: ZoneInfo
) -> tuple[AmendmentRecord, ...]:
    rows = session.scalars(
        select(AwardAmendment)
        .where(AwardAmendment.opportunity_id == award.opportunity_id)
        .order_by(AwardAmendment.effective_on, AwardAmendment.id)
    )
    records, so_far = [], contract_value(award.amount, settings)
    cumulative = award.amount - award.amount  # Decimal zero with the amount's exponent
    for number, row in enumerate(rows, start=1):
        cumulative += row.amount_change
        now = contract_value(award.amount, settings, cumulative)
        records.append(
            AmendmentRecord(
                number, row.effective_on.astimezone(zone).date(), now - so_far, row.reason
            )
        )
        so_far = now
    return tuple(records)


def _bids(session: Session, opportunity_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(
                Proposal.opportunity_id == opportunity_id,
                Proposal.submitted_at.is_not(None),
                Proposal.status.not_in(NOT_BIDS),
                Proposal.removed_at.is_(None),
            )
        )
        or 0
    )


def bilingual_texts(
    session: Session, opportunity: Opportunity
) -> tuple[dict[str, str], dict[str, str]]:
    """Field → text in English, and in French: the author's in their language, and in the other
    a translator's, or the author's own where they wrote both."""
    texts, language = authored(session, opportunity)
    own = dict(texts)
    other = {
        status.field: status.translation
        for status in field_statuses(session, opportunity)
        if status.translation.strip()
    }
    return (own, other) if language == "en" else (other, own)


def build_record(
    session: Session,
    opportunity_id: str,
    zone: ZoneInfo,
    coding: Mapping[str, Mapping[str, str]] | None = None,
) -> AwardRecord:
    """The award record of one AWARDED opportunity, as the bridge knows it now."""
    award = session.get(Award, opportunity_id)
    opportunity = session.get(Opportunity, opportunity_id)
    if award is None or opportunity is None:
        raise NotExportable("not_awarded")
    department_id = department_of(session, opportunity_id)
    department = session.get(Department, department_id) if department_id else None
    if department is None:
        raise NotExportable("no_department")
    settings = load_rule_settings(session)
    english, french = bilingual_texts(session, opportunity)
    author = (
        session.get(MarketplaceUser, opportunity.created_by_id)
        if opportunity.created_by_id
        else None
    )
    return AwardRecord(
        opportunity_id=opportunity_id,
        kind=opportunity.kind,
        department_acronym=department.acronym,
        department_name_en=department.name_en,
        department_name_fr=department.name_fr,
        title_en=english.get("title", ""),
        title_fr=french.get("title", ""),
        description_en=english.get("teaser", ""),
        description_fr=french.get("teaser", ""),
        buyer_name=author.name if author is not None else department.name_en,
        supplier=supplier_of(session, award),
        original_value=contract_value(award.amount, settings),
        award_date=award.awarded_at.astimezone(zone).date(),
        proposal_deadline=opportunity.proposal_deadline.astimezone(zone).date(),
        tender_published=opportunity.published_at.astimezone(zone).date()
        if opportunity.published_at
        else None,
        start_date=_calendar_day(opportunity.start_date),
        end_date=_calendar_day(opportunity.completion_date),
        number_of_bids=_bids(session, opportunity_id),
        amendments=_amendments(session, award, settings, zone),
        coding=dict((coding or load_coding()).get(opportunity.kind, {})),
    )
