"""Approval fixtures: a synced marketplace whose GOV author works at TBS, approvers of TBS and of
another department, and an open request for the opportunity under review."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalRequest, Decision
from bridge.approvals.service import (
    DecisionRefused,
    decide,
    open_request,
)
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.marketplace.client import MarketplaceClient
from bridge.sync.models import Opportunity
from bridge.translations.service import save_translation
from bridge.translations.texts import source_texts
from tests.bilingual import ENGLISH, FRENCH, TRANSLATOR
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, UNDER_REVIEW
from tests.seeding import first_sync_judged

AUTHOR = "author@tbs-sct.gc.ca"


@pytest.fixture(autouse=True)
def _clock_at_capture(frozen_clock: object) -> None:
    """Approvals, reminders and the guard judge the captured marketplace's dates (deadlines,
    publications after the first sync) at the moment it was captured, whatever the day."""


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
    fake.move_author(AUTHOR)
    fake.opportunities[CWU][UNDER_REVIEW]["addenda"] = []
    fake.edit(CWU, UNDER_REVIEW, reward=9500, **ENGLISH)
    first_sync_judged(client, sessions, chains=True)
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
        rule_pipeline().evaluate(session, [UNDER_REVIEW], "translation")


def attempt(
    sessions: sessionmaker[Session],
    user_id: int,
    decision: Decision = Decision.APPROVE,
    comment: str = "",
) -> str:
    """``"ok"`` or the refusal's code; the transaction is rolled back on refusal."""
    try:
        with transaction(sessions) as session:
            request = session.scalars(
                select(ApprovalRequest)
                .where(ApprovalRequest.opportunity_id == UNDER_REVIEW)
                .order_by(ApprovalRequest.id.desc())
            ).first()
            user = session.get(PanelUser, user_id)
            assert request is not None and user is not None
            decide(session, request, user, decision, comment)
    except DecisionRefused as refused:
        return refused.code
    return "ok"
