"""Award records written by hand, for the exporters' tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor
from bridge.awards.models import AwardAmendment
from bridge.db.engine import transaction
from bridge.exports.build import build_record, load_coding
from bridge.exports.record import AwardRecord, SupplierRecord
from bridge.marketplace.client import MarketplaceClient
from bridge.settings import OCDS_SCHEMA_DIR
from bridge.sync.models import Opportunity
from bridge.translations.service import save_translation
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED
from tests.seeding import first_sync_judged


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


def synced_record(
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    *,
    reward: int | None = None,
    amendments: tuple[Decimal, ...] = (),
) -> AwardRecord:
    author_at_tbs(fake)
    if reward is not None:
        fake.opportunities["code-with-us"][AWARDED]["reward"] = reward
    first_sync_judged(client, sessions)
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, AWARDED)
        assert opportunity is not None
        for field, text in AWARDED_FRENCH.items():
            save_translation(session, opportunity, field, text, Actor.job("test"))
        for number, change in enumerate(amendments, start=1):
            effective = datetime(2027, 1, number, 15, tzinfo=UTC)
            session.add(
                AwardAmendment(
                    opportunity_id=AWARDED,
                    amount_change=change,
                    reason="More pages",
                    recorded_by="test",
                    effective_on=effective,
                )
            )
    with sessions() as session:
        return build_record(session, AWARDED, OTTAWA)


SCHEMA_DIR = OCDS_SCHEMA_DIR

PUBLISHED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


OTTAWA = ZoneInfo("America/Toronto")
# The French the bridge holds for the awarded opportunity of the fixtures.
AWARDED_FRENCH = {
    "title": "Essai A de la passerelle (attribuée)",
    "teaser": "Court résumé de l'essai A de la passerelle",
}


def author_at_tbs(fake: FakeMarketplace) -> None:
    """The captured GOV author works at the Treasury Board, so awards route to TBS."""
    fake.move_author()
