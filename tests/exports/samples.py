"""Award records written by hand, for the exporters' tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bridge.exports.build import load_coding
from bridge.exports.record import AwardRecord, SupplierRecord


def organization_award() -> AwardRecord:
    return AwardRecord(
        opportunity_id="b11f28ff-9723-4a60-858a-e329ce69a76f",
        kind="code-with-us",
        department_acronym="TBS",
        department_name_en="Treasury Board of Canada Secretariat",
        department_name_fr="Secrétariat du Conseil du Trésor du Canada",
        title_en="Accessible document upload form",
        title_fr="Formulaire accessible de téléversement de documents",
        description_en="Build a small accessible form.",
        description_fr="Créer un petit formulaire accessible.",
        buyer_name="Local Gov User",
        supplier=SupplierRecord(
            "organization:1", "organization", "Vendor One Ltd.", "K1A 0B1", "Canada"
        ),
        original_value=Decimal("30000.00"),
        award_date=date(2026, 11, 20),
        proposal_deadline=date(2026, 11, 10),
        tender_published=date(2026, 10, 1),
        start_date=date(2026, 12, 10),
        end_date=date(2027, 2, 1),
        number_of_bids=2,
        coding=load_coding()["code-with-us"],
    )
