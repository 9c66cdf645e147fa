"""An approval request opened on the fixtures' opportunity under review, for panel tests."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.service import open_request, seed_chains
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.sync.models import Opportunity
from tests.fakes.world import UNDER_REVIEW

AUTHOR = "gov@example.invalid"


def opened(sessions: sessionmaker[Session]) -> int:
    """A request for the opportunity under review, in the matrix approver's department."""
    with transaction(sessions) as session:
        seed_chains(session)
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        department = all_departments(session)[0].id
        return open_request(session, opportunity, department, AUTHOR).id
