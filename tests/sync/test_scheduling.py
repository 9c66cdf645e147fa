"""One sync at a time, across threads and processes; scheduled runs coalesce; full refreshes."""

from __future__ import annotations

import fcntl
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select, text

from bridge.jobs.runs import SyncService
from bridge.jobs.scheduler import JOB_ID, add_sync_job
from bridge.marketplace.client import MarketplaceClient
from bridge.settings import Settings, load_settings
from bridge.sync.lock import advisory_key, exclusive_run
from bridge.sync.models import SyncRun
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import BASE_URL


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        {
            "BRIDGE_MARKETPLACE_URL": BASE_URL,
            "BRIDGE_MARKETPLACE_SESSION": "s%3Aa.b",
            "BRIDGE_DATABASE_URL": db_url,
        }
    )


def test_a_second_holder_in_the_same_process_is_turned_away(db_engine: Engine) -> None:
    with exclusive_run(db_engine) as first:
        assert first
        with exclusive_run(db_engine) as second:
            assert not second
    with exclusive_run(db_engine) as again:
        assert again


def test_another_process_holding_the_lock_turns_us_away(db_engine: Engine) -> None:
    if db_engine.dialect.name == "postgresql":
        with db_engine.connect() as other:
            other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": advisory_key("sync")})
            with exclusive_run(db_engine) as acquired:
                assert not acquired
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key("sync")})
    else:
        database = db_engine.url.database
        assert database
        with Path(f"{database}.sync.lock").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with exclusive_run(db_engine) as acquired:
                assert not acquired
            fcntl.flock(handle, fcntl.LOCK_UN)
    with exclusive_run(db_engine) as acquired:
        assert acquired


def service_for(settings: Settings, engine: Engine, client: MarketplaceClient) -> SyncService:
    return SyncService(settings, engine, client_factory=lambda _: client)


def test_a_run_is_skipped_while_another_holds_the_lock(
    settings: Settings, db_engine: Engine, client: MarketplaceClient
) -> None:
    service = service_for(settings, db_engine, client)
    with exclusive_run(db_engine) as held:
        assert held
        assert service.run_once() is None
    report = service.run_once()
    assert report is not None and report.ok


def test_the_first_run_is_full_then_only_once_the_refresh_is_due(
    settings: Settings, db_engine: Engine, client: MarketplaceClient
) -> None:
    service = service_for(settings, db_engine, client)
    assert service.full_refresh_due()
    first = service.run_once()
    assert first is not None
    second = service.run_once()
    assert second is not None
    with service.sessions() as session:
        runs = {run.id: run for run in session.query(SyncRun)}
        assert runs[first.run_id].full and not runs[second.run_id].full
        runs[first.run_id].started_at -= timedelta(hours=settings.full_refresh_hours + 1)
        session.commit()
    assert service.full_refresh_due()


def test_no_new_full_pass_begins_while_one_is_under_way(
    settings: Settings, db_engine: Engine, client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    service = service_for(settings, db_engine, client)
    # One opportunity cannot be read: the first pass does not finish in one run.
    fake.fail(r"^/opportunities/code-with-us/05e8604f-", (503, {}, b""), times=1000)
    first = service.run_once()
    assert first is not None and first.ok and first.behind == 1
    assert not service.full_refresh_due()  # the open pass goes on instead
    fake.failures.clear()
    second = service.run_once()
    assert second is not None and second.behind == 0
    with service.sessions() as session:
        passes = session.execute(select(SyncRun.id, SyncRun.full_pass_of).order_by(SyncRun.id))
        assert [pass_of for _, pass_of in passes] == [first.run_id, first.run_id]
    assert not service.full_refresh_due()


def test_the_scheduled_job_coalesces_and_never_overlaps(
    settings: Settings, db_engine: Engine, client: MarketplaceClient
) -> None:
    scheduler = BackgroundScheduler()
    add_sync_job(scheduler, service_for(settings, db_engine, client), minutes=15)
    job = scheduler.get_job(JOB_ID)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.trigger.interval == timedelta(minutes=15)
    assert job.kwargs == {"trigger": "schedule"}
