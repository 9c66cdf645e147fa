"""The rule pipeline on a real database, fed by a real sync of the captured marketplace."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import responses
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.audit.models import AuditEntry
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.rules import pipeline as pipeline_module
from bridge.rules.models import RuleEvaluation
from bridge.rules.pipeline import CURSOR, drain_pending
from bridge.rules.queries import current_evaluation
from bridge.rules.settings import (
    RuleSettings,
    load_rule_settings,
    save_rule_settings,
)
from bridge.sync.models import EventCursor, Opportunity
from bridge.translations.service import field_statuses, save_translation
from bridge.translations.texts import source_texts
from tests.bilingual import ENGLISH, FRENCH, TRANSLATOR
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED, CWU, SPRINT, UNDER_REVIEW
from tests.seeding import first_sync_judged
from tests.sync.helpers import make_sync


@pytest.fixture
def routed_fake(fake: FakeMarketplace) -> FakeMarketplace:
    """The captured marketplace, with its GOV author working at the Treasury Board."""
    fake.move_author()
    return fake


@pytest.fixture
def synced(
    routed_fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: responses.RequestsMock,
) -> Iterator[FakeMarketplace]:
    first_sync_judged(client, sessions)
    yield routed_fake


def keys(session: Session, opportunity_id: str) -> list[tuple[str, str | None]]:
    evaluation = current_evaluation(session, opportunity_id)
    assert evaluation is not None
    return [(finding.message_key, finding.field) for finding in evaluation.findings]


def test_every_synced_opportunity_is_judged_once(
    synced: FakeMarketplace, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        opportunities = session.scalar(select(func.count()).select_from(Opportunity))
        current = session.scalar(
            select(func.count()).select_from(RuleEvaluation).where(RuleEvaluation.current)
        )
        assert current == opportunities
        over = keys(session, UNDER_REVIEW)
        assert ("cap.exceeded", None) in over  # a 12,000 reward
        assert ("bilingual.missing", "title") in over
        assert ("cap.kind_ineligible", None) in keys(session, SPRINT)
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.department_id is not None
        cursor = session.get(EventCursor, CURSOR)
        assert cursor is not None and cursor.last_event_id > 0
    # Nothing pending: a second drain judges nothing.
    assert drain_pending(sessions, rule_pipeline()).evaluated == 0


def _write_english(fake: FakeMarketplace, opportunity_id: str) -> None:
    detail = fake.opportunities[CWU][opportunity_id]
    detail["addenda"] = []
    fake.edit(CWU, opportunity_id, reward=9500, **ENGLISH)


def test_a_translator_fills_the_french_and_the_blocking_findings_clear(
    synced: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    _write_english(synced, UNDER_REVIEW)
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    with transaction(sessions) as session:
        before = keys(session, UNDER_REVIEW)
        assert ("bilingual.missing", "description") in before
        assert ("cap.exceeded", None) not in before  # 9,500 now
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        fields = [field for field, _ in source_texts(opportunity)]
        assert fields == list(FRENCH)
        for field in fields:
            save_translation(session, opportunity, field, FRENCH[field], TRANSLATOR)
        rule_pipeline().evaluate(session, [UNDER_REVIEW], "translation")
    with sessions() as session:
        assert [key for key in keys(session, UNDER_REVIEW) if key[0].startswith("bilingual")] == []


def test_fields_their_author_wrote_in_both_languages_need_no_translation(
    synced: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    _write_english(synced, UNDER_REVIEW)
    synced.edit(
        CWU,
        UNDER_REVIEW,
        title=f"{ENGLISH['title']} / {FRENCH['title']}",
        description=f"{ENGLISH['description']}\n\nDescription (français)\n\n"
        f"{FRENCH['description']}",
    )
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        found = keys(session, UNDER_REVIEW)
        assert ("bilingual.missing", "teaser") in found  # written once: still needs French
        assert not [key for key in found if key[1] in ("title", "description")]
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        assert dict(source_texts(opportunity))["title"] == ENGLISH["title"]
        editor = {row.field: row for row in field_statuses(session, opportunity)}
        assert editor["description"].translation == FRENCH["description"]
        assert not editor["description"].outdated and editor["teaser"].missing


def test_a_translation_whose_bilingual_copy_would_not_fit_blocks_until_shortened(
    synced: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    _write_english(synced, UNDER_REVIEW)
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    long_title = "Application Web accessible " + "de gestion des demandes de service " * 5
    with transaction(sessions) as session:
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        for field, _ in source_texts(opportunity):
            text = long_title if field == "title" else FRENCH[field]
            save_translation(session, opportunity, field, text, TRANSLATOR)
        rule_pipeline().evaluate(session, [UNDER_REVIEW], "translation")
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.blocking
        [finding] = [
            item for item in evaluation.findings if item.message_key == "bilingual.too_long"
        ]
        assert finding.field == "title" and finding.params["limit"] == 200
        joined = finding.params["joined"]
        assert joined == finding.params["source_units"] + 3 + finding.params["translation_units"]
    with transaction(sessions) as session:
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        save_translation(session, opportunity, "title", FRENCH["title"], TRANSLATOR)
        rule_pipeline().evaluate(session, [UNDER_REVIEW], "translation")
    with sessions() as session:
        assert ("bilingual.too_long", "title") not in keys(session, UNDER_REVIEW)


def test_a_marketplace_edit_makes_the_translation_outdated_and_keeps_the_old_findings(
    synced: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    _write_english(synced, UNDER_REVIEW)
    assert make_sync(client, sessions).run().ok
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        for field, _ in source_texts(opportunity):
            save_translation(session, opportunity, field, FRENCH[field], TRANSLATOR)
    drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        clean = current_evaluation(session, UNDER_REVIEW)
        assert clean is not None and clean.blocking == 0
        clean_id, clean_version = clean.id, clean.version

    synced.edit(CWU, UNDER_REVIEW, teaser="Build a small, accessible form for uploading documents.")
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        assert keys(session, UNDER_REVIEW) == [("bilingual.outdated", "teaser")]
        latest = current_evaluation(session, UNDER_REVIEW)
        assert latest is not None and latest.version == clean_version + 1
        earlier = session.get(RuleEvaluation, clean_id)
        assert earlier is not None and not earlier.current and earlier.blocking == 0


def test_a_settings_change_is_audited_and_re_evaluates_every_opportunity(
    synced: FakeMarketplace, sessions: sessionmaker[Session]
) -> None:
    admin = Actor.user(1, "Admin")
    with transaction(sessions) as session:
        current = load_rule_settings(session)
        raised = current.model_copy(update={"cap_amount": Decimal("12000.00")})
        changes = save_rule_settings(
            session, RuleSettings.model_validate(raised.model_dump()), admin
        )
        assert changes == {"cap_amount": ("10000.00", "12000.00")}
        report = rule_pipeline().evaluate_all(session, "settings")
        assert report.evaluated == session.scalar(select(func.count()).select_from(Opportunity))
    with sessions() as session:
        assert ("cap.exceeded", None) not in keys(session, UNDER_REVIEW)  # exactly at 12,000
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rule_setting.changed")
        ).one()
        assert entry.before == {"value": "10000.00"} and entry.after == {"value": "12000.00"}
        assert entry.actor_name == "Admin"


def test_awards_to_the_same_supplier_by_the_same_department_are_flagged(
    synced: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    twin = "b11f28ff-0000-4000-8000-000000000002"
    synced.clone(CWU, AWARDED, twin, title="Second half of the same work")
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        for opportunity_id in (AWARDED, twin):
            assert ("splitting.awards", None) in keys(session, opportunity_id)


def test_a_failure_while_storing_findings_leaves_the_changes_pending(
    synced: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synced.edit(CWU, UNDER_REVIEW, title="A new title for the same work")
    assert make_sync(client, sessions).run().ok
    with sessions() as session:
        cursor = session.get(EventCursor, CURSOR)
        assert cursor is not None
        before = cursor.last_event_id

    from sqlalchemy.exc import OperationalError

    def broken(*args: object, **kwargs: object) -> int:
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(pipeline_module, "_store", broken)
    with pytest.raises(OperationalError):
        drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        cursor = session.get(EventCursor, CURSOR)
        assert cursor is not None and cursor.last_event_id == before
    monkeypatch.undo()
    assert drain_pending(sessions, rule_pipeline()).evaluated >= 1
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.version == 2


def test_amendments_recorded_against_an_award_count_towards_the_cap(
    synced: FakeMarketplace, sessions: sessionmaker[Session]
) -> None:
    from datetime import UTC, datetime

    from bridge.awards.models import AwardAmendment

    with transaction(sessions) as session:
        # The captured award is worth 30,000: lower the cap so one cent decides.
        current = load_rule_settings(session)
        save_rule_settings(
            session,
            current.model_copy(update={"cap_amount": Decimal("30500.00")}),
            Actor.job("test"),
        )
        rule_pipeline().evaluate_all(session, "settings")
        assert ("cap.exceeded", None) not in keys(session, AWARDED)
        session.add(
            AwardAmendment(
                opportunity_id=AWARDED,
                amount_change=Decimal("500.01"),
                reason="More pages to cover",
                effective_on=datetime(2026, 11, 1, tzinfo=UTC),
                recorded_by="Procurement Officer",
            )
        )
        session.flush()
        rule_pipeline().evaluate(session, [AWARDED], "amendment")
        findings = current_evaluation(session, AWARDED)
        assert findings is not None
        exceeded = [f for f in findings.findings if f.message_key == "cap.exceeded"]
        assert [f.params for f in exceeded] == [
            {"value": "30500.01", "cap": "30500.00", "excess": "0.01"}
        ]


def test_re_evaluating_everything_waits_for_a_running_sync(
    synced: FakeMarketplace, sessions: sessionmaker[Session], tmp_path: object
) -> None:
    from bridge.jobs.runs import SyncService
    from bridge.settings import load_settings
    from bridge.sync.lock import exclusive_run

    engine = sessions.kw["bind"]
    settings = load_settings({"BRIDGE_DATA_DIR": str(tmp_path)})
    service = SyncService(settings, engine)
    with sessions() as session:
        before = current_evaluation(session, UNDER_REVIEW)
        assert before is not None
        judged_at = before.evaluated_at
    with exclusive_run(engine) as held:
        assert held
        assert service.reevaluate_all("settings") is False
    with sessions() as session:
        untouched = current_evaluation(session, UNDER_REVIEW)
        assert untouched is not None and untouched.evaluated_at == judged_at
    assert service.reevaluate_all("settings") is True
    with sessions() as session:
        after = current_evaluation(session, UNDER_REVIEW)
        assert after is not None and after.evaluated_at > judged_at


TWIN = "7d0c2a44-5b7e-4f53-9a1c-2f0b3c9e8a11"


def test_a_neighbour_with_its_own_change_pending_is_left_to_its_turn(
    routed_fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: responses.RequestsMock,
) -> None:
    from tests.seeding import seed

    routed_fake.clone(CWU, UNDER_REVIEW, TWIN)  # a near-duplicate posting, same department
    seed(sessions)
    assert make_sync(client, sessions).run().ok
    pipeline = rule_pipeline()
    with transaction(sessions) as session:  # both still wait for the rules: no neighbour work
        assert pipeline.evaluate(session, [UNDER_REVIEW], "sync").evaluated == 1
    drain_pending(sessions, pipeline)  # every change taken: the twin is an ordinary neighbour now
    with transaction(sessions) as session:
        assert pipeline.evaluate(session, [UNDER_REVIEW], "sync").evaluated == 2


def test_judging_with_neighbours_compares_each_text_once(
    routed_fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The neighbours are asked for right after each judgement, while the splitting rule still
    holds what it compared: comparing postings is most of that rule's cost."""
    from adapters.rules import splitting
    from bridge.text.similarity import alike_among
    from tests.seeding import seed

    routed_fake.clone(CWU, UNDER_REVIEW, TWIN)
    seed(sessions)
    assert make_sync(client, sessions).run().ok
    pipeline = rule_pipeline()
    drain_pending(sessions, pipeline)
    compared: list[str] = []

    def counted(text: str, others: list[str], threshold: float) -> list[bool]:
        compared.append(text)
        return alike_among(text, others, threshold)

    monkeypatch.setattr(splitting, "alike_among", counted)
    with transaction(sessions) as session:
        ids = list(session.scalars(select(Opportunity.id)))
        report = pipeline.evaluate(session, ids, "sync")
    assert len(ids) >= 2 and report.evaluated >= len(ids)
    assert 0 < len(compared) <= report.evaluated
