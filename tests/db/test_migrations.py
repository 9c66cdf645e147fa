"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select

from bridge.db.migrate import is_current
from bridge.db.registry import metadata
from bridge.sync.models import Award, Opportunity
from tests.factories import create_award, create_opportunity


def test_the_migrated_schema_matches_the_models(db_engine: Engine) -> None:
    assert is_current(db_engine)
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata()) == []


def test_money_keeps_every_cent_and_times_come_back_aware_utc(db_engine: Engine) -> None:
    from bridge.db.engine import session_factory

    eastern = timezone(timedelta(hours=-5))
    moment = datetime(2026, 11, 25, 12, 30, tzinfo=eastern)
    sessions = session_factory(db_engine)
    with sessions.begin() as session:
        opportunity = create_opportunity(
            session,
            status="AWARDED",
            amount=Decimal("9999.99"),
            proposal_deadline=moment,
            marketplace_created_at=moment,
        )
        create_award(session, opportunity, amount=Decimal("10000.01"), awarded_at=moment)
    with sessions() as session:
        stored = session.scalars(select(Opportunity)).one()
        assert stored.amount == Decimal("9999.99")
        assert session.scalars(select(Award.amount)).one() == Decimal("10000.01")
        assert stored.proposal_deadline == moment
        assert stored.proposal_deadline.tzinfo is not None
        assert stored.proposal_deadline.utcoffset() == timedelta(0)
        assert stored.proposal_deadline == datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


def test_a_naive_datetime_is_refused(db_engine: Engine) -> None:
    from bridge.db.engine import session_factory

    with (
        pytest.raises(Exception, match="naive datetime"),
        session_factory(db_engine).begin() as session,
    ):
        create_opportunity(session, status="DRAFT", proposal_deadline=datetime(2026, 1, 1))


def test_statistics_are_refreshed_for_sqlite_s_planner(db_engine: Engine) -> None:
    from sqlalchemy import text

    from bridge.db.engine import refresh_statistics

    if db_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its statistics")
    stat_table = text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    with db_engine.connect() as connection:
        assert connection.execute(stat_table).scalar() == 0
    refresh_statistics(db_engine)
    with db_engine.connect() as connection:
        assert connection.execute(stat_table).scalar() == 1
