"""A sync against the fake marketplace fills, updates and protects the database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.marketplace.client import MarketplaceClient
from bridge.sync.models import (
    Addendum,
    Award,
    ChangeEvent,
    HistoryEntry,
    MarketplaceUser,
    Opportunity,
    Proposal,
    RunOutcome,
    SyncRun,
)
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED, CWU, DRAFT, PUBLISHED, UNDER_REVIEW
from tests.sync.helpers import make_sync, snapshot


def events(sessions: sessionmaker[Session]) -> Counter[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(select(ChangeEvent.type, ChangeEvent.opportunity_id)).all()
    return Counter((row.type, row.opportunity_id) for row in rows)


def test_first_sync_mirrors_every_kind_with_proposals_awards_and_users(
    client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    report = make_sync(client, sessions).run()

    assert report.outcome is RunOutcome.SUCCEEDED, report.errors
    assert report.counts["opportunities"] == {
        "code-with-us": {"new": 6, "changed": 0, "unchanged": 0, "failed": 0},
        "sprint-with-us": {"new": 1, "changed": 0, "unchanged": 0, "failed": 0},
        "team-with-us": {"new": 1, "changed": 0, "unchanged": 0, "failed": 0},
    }
    assert report.counts["proposals"][CWU]["new"] == 2
    with sessions() as session:
        kinds = dict(
            session.execute(select(Opportunity.kind, func.count()).group_by(Opportunity.kind)).all()
        )
        assert kinds == {CWU: 6, "sprint-with-us": 1, "team-with-us": 1}
        awarded = session.get_one(Opportunity, AWARDED)
        assert awarded.amount == Decimal("30000.00")
        assert awarded.status == "AWARDED"
        assert [a.description for a in awarded.addenda] == ["Addendum 1: clarified scope."]
        assert awarded.history[0].type_value == "AWARDED"
        assert (session.scalar(select(func.count()).select_from(HistoryEntry)) or 0) >= 8
        award = session.get_one(Award, AWARDED)
        assert award.proposal_id == "06e3db0a-cbf7-403f-856b-0f1afd62bb6e"
        assert award.supplier_name == "Vendor One Ltd."
        assert award.proponent_type == "individual"
        assert award.amount == Decimal("30000.00")
        assert award.awarded_at == datetime(2026, 11, 25, 0, 27, 32, 960000, tzinfo=UTC)
        statuses = dict(session.execute(select(Proposal.id, Proposal.status)).all())
        assert sorted(statuses.values()) == ["AWARDED", "NOT_AWARDED"]
        assert session.scalar(select(func.count()).select_from(MarketplaceUser)) == 5
        swu = session.get_one(Opportunity, "0ca0db14-f3a5-446c-aa7b-fbc2cfb216b8")
        assert swu.amount == Decimal("1500000.00")
        assert swu.skills == ["Python", "React", "Kubernetes"]
    seen = events(sessions)
    assert sum(count for (kind, _), count in seen.items() if kind == "created") == 8
    assert seen["entered_under_review", UNDER_REVIEW] == 1
    assert seen["became_awarded", AWARDED] == 1


def test_the_marketplace_answer_is_kept_but_read_only_when_asked_for(
    client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    """Rules, approvals and panel load opportunities by the thousand and never use the answer
    they were made from: decoding it with each row cost more than the columns they read."""
    assert make_sync(client, sessions).run().ok
    with sessions() as session:
        awarded = session.get_one(Opportunity, AWARDED)
        assert "payload" in inspect(awarded).unloaded
        assert awarded.payload["id"] == AWARDED
        assert awarded.payload["status"] == "AWARDED"


def test_a_second_run_with_nothing_changed_changes_nothing(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    make_sync(client, sessions).run()
    before = snapshot(db_engine)
    report = make_sync(client, sessions).run()
    assert report.ok
    assert snapshot(db_engine) == before
    for outcomes in report.counts["opportunities"].values():
        assert outcomes["new"] == outcomes["changed"] == outcomes["failed"] == 0


def test_second_run_reads_only_open_or_changed_details(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    fake.requests_seen.clear()
    make_sync(client, sessions).run()
    details = {path.rsplit("/", 1)[1] for _, path in fake.requests_seen if path.count("/") == 3}
    # Still open: published, under review, SWU and TWU; not the draft, awarded or canceled one.
    assert AWARDED not in details and DRAFT not in details
    assert {PUBLISHED, UNDER_REVIEW} <= details
    assert fake.count("GET", r"^/proposals/") == 0


def test_an_addendum_that_does_not_move_updated_at_is_caught(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    before = fake.opportunities[CWU][PUBLISHED]["updatedAt"]
    fake.add_addendum(CWU, PUBLISHED, "Addendum: the repository moved.")
    assert fake.opportunities[CWU][PUBLISHED]["updatedAt"] == before

    report = make_sync(client, sessions).run()

    assert report.counts["opportunities"][CWU]["changed"] == 1
    with sessions() as session:
        texts = session.scalars(
            select(Addendum.description).where(Addendum.opportunity_id == PUBLISHED)
        ).all()
    assert texts == ["Addendum: the repository moved."]
    assert events(sessions)["addendum_added", PUBLISHED] == 1


def test_a_full_refresh_catches_changes_on_closed_opportunities(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    fake.add_addendum(CWU, AWARDED, "Late addendum.")
    assert make_sync(client, sessions).run().counts["opportunities"][CWU]["changed"] == 0
    report = make_sync(client, sessions).run(full=True)
    assert report.counts["opportunities"][CWU]["changed"] == 1
    assert events(sessions)["addendum_added", AWARDED] == 1


def test_an_edit_makes_a_new_version_and_a_content_event(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    fake.edit(CWU, UNDER_REVIEW, description="## New scope\nSmaller.")
    make_sync(client, sessions).run()
    with sessions() as session:
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        assert opportunity.version == 2
        assert opportunity.description == "## New scope\nSmaller."
    assert events(sessions)["content_edited", UNDER_REVIEW] == 1


def test_status_changes_raise_events_later_stages_consume(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    fake.set_status(CWU, DRAFT, "UNDER_REVIEW")
    make_sync(client, sessions).run()
    seen = events(sessions)
    assert seen["status_changed", DRAFT] == 1
    assert seen["entered_under_review", DRAFT] == 1
    with sessions() as session:
        event = session.scalars(
            select(ChangeEvent).where(
                ChangeEvent.type == "status_changed", ChangeEvent.opportunity_id == DRAFT
            )
        ).one()
    assert event.details == {"from": "DRAFT", "to": "UNDER_REVIEW"}


def test_an_opportunity_gone_from_the_list_is_marked_not_deleted(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    removed = fake.opportunities[CWU].pop(DRAFT)
    make_sync(client, sessions).run()
    with sessions() as session:
        assert session.get_one(Opportunity, DRAFT).removed_at is not None
    assert events(sessions)["removed", DRAFT] == 1

    fake.opportunities[CWU][DRAFT] = removed
    make_sync(client, sessions).run()
    with sessions() as session:
        assert session.get_one(Opportunity, DRAFT).removed_at is None
    assert events(sessions)["restored", DRAFT] == 1


def test_the_run_is_recorded_with_its_counts(
    client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    report = make_sync(client, sessions).run(trigger="schedule")
    with sessions() as session:
        run = session.get_one(SyncRun, report.run_id)
    assert run.outcome == "succeeded"
    assert run.trigger == "schedule"
    assert run.finished_at is not None
    assert run.counts["opportunities"][CWU]["new"] == 6
    assert run.http["requests"] >= 10


@pytest.mark.parametrize(
    ("session_payload", "expected"),
    [(None, "expired or is not valid"), ("vendor", "VENDOR user, not an ADMIN")],
)
def test_an_unusable_session_fails_fast_with_what_to_do(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    session_payload: str | None,
    expected: str,
) -> None:
    from tests.fakes.marketplace import load_fixture

    fake.session = load_fixture("session-current.vendor.json") if session_payload else None
    report = make_sync(client, sessions).run()
    assert report.outcome is RunOutcome.FAILED
    assert expected in report.errors[0]
    assert "BRIDGE_MARKETPLACE_SESSION" in report.errors[0]
    assert fake.count("GET", r"^/opportunities") == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_still_open_opportunities_are_rechecked_once_their_interval_has_passed(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    frozen_clock: time_machine.Traveller,
) -> None:
    hour = timedelta(hours=1)
    make_sync(client, sessions, recheck_open_after=hour).run()
    fake.add_addendum(CWU, PUBLISHED, "Addendum: new date.")
    fake.requests_seen.clear()
    frozen_clock.shift(hour / 4)
    soon = make_sync(client, sessions, recheck_open_after=hour)
    assert soon.run().counts["opportunities"][CWU]["changed"] == 0
    assert fake.count("GET", r"^/opportunities/code-with-us/") == 0
    frozen_clock.shift(hour * 3 / 4)
    later = make_sync(client, sessions, recheck_open_after=hour)
    assert later.run().counts["opportunities"][CWU]["changed"] == 1
    assert events(sessions)["addendum_added", PUBLISHED] == 1
