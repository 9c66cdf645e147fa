"""Requests follow the marketplace: opened on UNDER_REVIEW, renewed by an edit, none unrouted."""

from __future__ import annotations

import pytest
import responses
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.approvals import guard
from bridge.approvals.flow import drain
from bridge.approvals.models import ApprovalRequest
from bridge.approvals.service import seed_chains
from bridge.db.engine import transaction
from bridge.departments.service import seed_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.rules.pipeline import drain_pending
from bridge.rules.settings import seed_rule_settings
from bridge.sync.models import ChangeEvent, ChangeEventType
from tests.approvals.helpers import opportunity_reads
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, UNDER_REVIEW
from tests.sync.helpers import make_sync


def sync_and_follow(client: MarketplaceClient, sessions: sessionmaker[Session]) -> None:
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    drain(sessions)


def requests_of(sessions: sessionmaker[Session]) -> list[tuple[int, str]]:
    with sessions() as session:
        rows = session.execute(
            select(ApprovalRequest.version, ApprovalRequest.status)
            .where(ApprovalRequest.opportunity_id == UNDER_REVIEW)
            .order_by(ApprovalRequest.id)
        )
        return [(version, status) for version, status in rows]


@pytest.fixture
def seeded(sessions: sessionmaker[Session], mocked: responses.RequestsMock) -> None:
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        seed_chains(session)


def test_under_review_opens_a_request_and_an_edit_renews_it(
    seeded: None, fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    fake.move_author()
    sync_and_follow(client, sessions)
    assert requests_of(sessions) == [(1, "open")]
    sync_and_follow(client, sessions)  # nothing changed: nothing new
    assert requests_of(sessions) == [(1, "open")]
    fake.edit(CWU, UNDER_REVIEW, title="A clearer title for the same work")
    sync_and_follow(client, sessions)
    assert requests_of(sessions) == [(1, "superseded"), (2, "open")]


def test_an_unrouted_opportunity_waits_without_a_request(
    seeded: None, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    sync_and_follow(client, sessions)
    assert requests_of(sessions) == []


def test_requests_wait_for_the_rules_to_judge_the_same_changes(
    seeded: None, fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    fake.move_author()
    assert make_sync(client, sessions).run().ok
    assert drain(sessions) == 0  # the rules have not found the department yet
    assert requests_of(sessions) == []
    drain_pending(sessions, rule_pipeline())
    assert drain(sessions) > 0
    assert requests_of(sessions) == [(1, "open")]


def test_a_batch_of_events_reads_its_opportunities_in_one_query(
    seeded: None,
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
) -> None:
    """One query a batch, not one an event, for the requests and for the guard: a first sync
    brings thousands of events."""
    fake.move_author()
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    with sessions() as session:
        events = session.scalar(select(func.count()).select_from(ChangeEvent)) or 0
    assert events > 3
    with opportunity_reads(db_engine) as reads:
        assert drain(sessions) == events
    assert len(reads) <= 2  # the batch, and the request opened for the one under review
    assert requests_of(sessions) == [(1, "open")]
    with opportunity_reads(db_engine) as reads:
        assert guard.drain(sessions, cancel=False) == events
    assert len(reads) == 1  # nothing was published since the bridge began watching


def test_events_that_cannot_open_a_request_read_no_opportunity(
    seeded: None,
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
) -> None:
    """Only entering review and edits open or renew a request: the created and status events
    that make up most of a first sync are counted as taken without loading anything."""
    fake.move_author()
    sync_and_follow(client, sessions)
    with transaction(sessions) as session:
        for kind in (ChangeEventType.CREATED, ChangeEventType.STATUS_CHANGED):
            session.add(
                ChangeEvent(
                    type=kind.value,
                    opportunity_id=UNDER_REVIEW,
                    opportunity_kind=CWU.value,
                    version=1,
                    details={},
                )
            )
    drain_pending(sessions, rule_pipeline())
    with opportunity_reads(db_engine) as reads:
        assert drain(sessions) == 2
    assert reads == []
    assert requests_of(sessions) == [(1, "open")]
