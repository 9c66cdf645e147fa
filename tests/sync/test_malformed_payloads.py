"""Whatever shape a record arrives in, the sync quarantines it or stores it, and never dies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bridge.db.engine import make_engine, session_factory
from bridge.db.migrate import upgrade
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.retry import RetryPolicy
from bridge.sync.models import Opportunity, Proposal, QuarantinedRecord, RunOutcome
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import API, AWARDED, CWU
from tests.sync.helpers import make_sync

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
DETAIL_FIELDS = sorted(FakeMarketplace.from_fixtures().opportunities[CWU][AWARDED])
PROPOSAL_FIELDS = sorted(FakeMarketplace.from_fixtures().proposals[(CWU, AWARDED)][0])


@pytest.fixture(scope="module")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "bridge.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def sync_once(fake: FakeMarketplace, database: Path) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{database}")
    sessions = session_factory(engine)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            fake.install(mock)
            policy = RetryPolicy(max_attempts=1, sleep=lambda _: None)
            with MarketplaceClient(API, "s%3Ax.y", retry=policy) as client:
                report = make_sync(client, sessions).run()
        with sessions() as session:
            return {
                "report": report,
                "opportunities": session.scalar(select(func.count()).select_from(Opportunity)),
                "proposals": session.scalar(select(func.count()).select_from(Proposal)),
                "quarantined": session.scalars(select(QuarantinedRecord.record_kind)).all(),
            }
    finally:
        engine.dispose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(["detail", "proposal"]),
    field=st.sampled_from(DETAIL_FIELDS + PROPOSAL_FIELDS),
    value=json_values | st.just("__delete__"),
)
def test_any_malformed_field_is_quarantined_never_fatal(
    target: str, field: str, value: Any, template_database: Path, tmp_path: Path
) -> None:
    fake = FakeMarketplace.from_fixtures()
    record = (
        fake.opportunities[CWU][AWARDED]
        if target == "detail"
        else fake.proposals[(CWU, AWARDED)][0]
    )
    if value == "__delete__":
        record.pop(field, None)
    else:
        record[field] = value
    database = tmp_path / f"{abs(hash((target, field, repr(value))))}.sqlite3"
    shutil.copy(template_database, database)

    result = sync_once(fake, database)

    report = result["report"]
    assert report.outcome is RunOutcome.SUCCEEDED, report.errors
    assert result["opportunities"] >= 7, "a bad record must not cost the others"
    if target == "detail" and field != "id":
        stored_or_kept = result["opportunities"] + sum(
            1 for kind in result["quarantined"] if kind.startswith("opportunity")
        )
        assert stored_or_kept >= 8, "the bad record is either stored or quarantined"
    if target == "proposal":
        assert result["proposals"] + result["quarantined"].count("proposal:code-with-us") == 2
