"""Who may decide what: scoping and separation of duties as a matrix, versions, blocking."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser
from bridge.approvals.models import ApprovalRequest, Decision, RequestStatus
from bridge.approvals.service import awaiting, open_request, progress
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.sync.models import Opportunity
from tests.approvals.conftest import AUTHOR, People, attempt, translate
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, UNDER_REVIEW
from tests.sync.helpers import make_sync


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("elsewhere", "not_an_approver"),
        ("admin", "not_an_approver"),
        ("author", "author"),
        ("first", "ok"),
    ],
)
def test_scoping_and_the_author_rule(
    world: People, sessions: sessionmaker[Session], who: str, code: str
) -> None:
    assert attempt(sessions, getattr(world, who)) == code


def test_a_chain_decided_step_by_step_by_different_people(
    world: People, sessions: sessionmaker[Session]
) -> None:
    assert attempt(sessions, world.first) == "ok"  # budget holder
    assert attempt(sessions, world.first) == "already_decided"  # one person, one step
    assert attempt(sessions, world.second) == "ok"  # director: 9,500 is above 5,000
    assert attempt(sessions, world.third) == "blocking_findings"  # no French yet
    translate(sessions)
    assert attempt(sessions, world.third) == "ok"
    with sessions() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        assert request.status == RequestStatus.APPROVED.value
        state = progress(session, request)
        assert [step.key for step in state.steps] == ["budget", "director", "procurement"]
        assert state.next_step is None
    assert attempt(sessions, world.author) == "not_open"


def test_requested_changes_wait_for_an_edit_that_restarts_the_chain(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
) -> None:
    assert attempt(sessions, world.first) == "ok"
    assert attempt(sessions, world.second, Decision.REQUEST_CHANGES) == "comment_required"
    assert (
        attempt(sessions, world.second, Decision.REQUEST_CHANGES, "Name the deliverables.") == "ok"
    )
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        waiting = open_request(session, opportunity, 1, AUTHOR)  # same version: still waiting
        assert waiting.status == RequestStatus.CHANGES_REQUESTED.value
    fake.edit(CWU, UNDER_REVIEW, teaser="Build a small, accessible form for uploading documents.")
    assert make_sync(client, sessions).run().ok
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None and opportunity.version == 2
        fresh = open_request(session, opportunity, waiting.department_id, AUTHOR)
        assert fresh.version == 2 and fresh.decisions == []
        statuses = session.scalars(select(ApprovalRequest.status).order_by(ApprovalRequest.id))
        assert list(statuses) == ["superseded", "open"]
    # The approval given to version 1 does not count: the budget step waits again.
    assert attempt(sessions, world.first) == "ok"


def test_a_request_for_an_older_version_takes_no_decision(
    world: People, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        opportunity.version += 1  # edited on the marketplace, request not yet renewed
    assert attempt(sessions, world.first) == "outdated_version"


def test_a_step_that_names_its_deciders_takes_no_one_else(
    world: People, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        request = session.scalars(select(ApprovalRequest)).one()
        budget = progress(session, request).steps[0]
        third = session.get(PanelUser, world.third)
        assert third is not None
        budget.approvers = [third]
    assert attempt(sessions, world.first) == "not_step_approver"
    with sessions() as session:
        first, named = session.get(PanelUser, world.first), session.get(PanelUser, world.third)
        assert first is not None and named is not None
        assert awaiting(session, first) == [] and len(awaiting(session, named)) == 1
    assert attempt(sessions, world.third) == "ok"
    assert attempt(sessions, world.first) == "ok"  # the director's step names nobody
