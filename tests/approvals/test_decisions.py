"""Who may decide what: scoping and separation of duties as a matrix, versions, blocking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalRequest, Decision, RequestStatus
from bridge.approvals.service import (
    DecisionRefused,
    decide,
    open_request,
    progress,
    seed_chains,
)
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.departments.service import seed_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.rules.context import source_texts
from bridge.rules.pipeline import RulePipeline, drain_pending
from bridge.rules.settings import seed_rule_settings
from bridge.sync.models import Opportunity
from bridge.translations.service import save_translation
from tests.fakes.marketplace import FakeMarketplace
from tests.rules.test_pipeline import CWU, ENGLISH, FRENCH, TRANSLATOR, UNDER_REVIEW
from tests.sync.helpers import make_sync

AUTHOR = "author@tbs-sct.gc.ca"


@dataclass
class People:
    first: int
    second: int
    third: int
    author: int
    elsewhere: int
    admin: int


@pytest.fixture
def world(
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: responses.RequestsMock,
) -> Iterator[People]:
    for user in fake.users:
        if user["email"] == "gov@example.invalid":
            user["email"] = AUTHOR
    fake.opportunities[CWU][UNDER_REVIEW]["addenda"] = []
    fake.edit(CWU, UNDER_REVIEW, reward=9500, **ENGLISH)
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        seed_chains(session)
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions)
    with transaction(sessions) as session:
        departments = {d.acronym: d.id for d in session.scalars(select(Department))}

        def person(email: str, *grants: tuple[Role, int | None]) -> int:
            return create_user(session, email, email.split("@")[0], None, list(grants)).id

        tbs = (Role.APPROVER, departments["TBS"])
        yield_value = People(
            first=person("first@tbs-sct.gc.ca", tbs),
            second=person("second@tbs-sct.gc.ca", tbs),
            third=person("third@tbs-sct.gc.ca", tbs),
            author=person(AUTHOR, tbs),
            elsewhere=person("other@hrsdc-rhdcc.gc.ca", (Role.APPROVER, departments["ESDC"])),
            admin=person("admin@tbs-sct.gc.ca", (Role.ADMIN, None)),
        )
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        open_request(session, opportunity, departments["TBS"], AUTHOR)
    yield yield_value


def translate(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        for field, _ in source_texts(opportunity):
            save_translation(session, opportunity, field, FRENCH[field], TRANSLATOR)
        RulePipeline().evaluate(session, [UNDER_REVIEW], "translation")


def attempt(
    sessions: sessionmaker[Session], user_id: int, decision: Decision = Decision.APPROVE,
    comment: str = "",
) -> str:  # fmt: skip
    """``"ok"`` or the refusal's code; the transaction is rolled back on refusal."""
    try:
        with transaction(sessions) as session:
            request = session.scalars(
                select(ApprovalRequest).where(ApprovalRequest.opportunity_id == UNDER_REVIEW)
                .order_by(ApprovalRequest.id.desc())
            ).first()  # fmt: skip
            user = session.get(PanelUser, user_id)
            assert request is not None and user is not None
            decide(session, request, user, decision, comment)
    except DecisionRefused as refused:
        return refused.code
    return "ok"


@pytest.mark.parametrize(
    ("who", "code"),
    [("elsewhere", "not_an_approver"), ("admin", "not_an_approver"), ("author", "author"),
     ("first", "ok")],
)  # fmt: skip
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
