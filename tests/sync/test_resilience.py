"""Runs survive what the real world does to them: cut-offs, outages, throttling, bad data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.marketplace.client import MarketplaceClient
from bridge.sync.models import Opportunity, QuarantinedRecord, RunOutcome, SyncRun
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, PUBLISHED, UNDER_REVIEW
from tests.sync.helpers import make_sync, snapshot, wipe

WRITES = ("INSERT", "UPDATE", "DELETE")


class InjectedCrash(Exception):
    """Stands for the process dying: not a database or marketplace error the engine handles."""


@contextmanager
def crash_at_write(engine: Engine, number: int) -> Iterator[list[int]]:
    """Raise instead of running the ``number``-th write statement (1-based) and every later one.

    Later writes fail too, as they would in a process that died: not even the run's own
    bookkeeping gets written.
    """
    seen = [0]

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(WRITES):
            seen[0] += 1
            if seen[0] >= number:
                raise InjectedCrash(f"crash before write {number}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def count_writes(engine: Engine, action: Any) -> int:
    with crash_at_write(engine, 10**9) as seen:
        action()
    return seen[0]


def test_a_crash_between_any_two_writes_then_a_rerun_gives_the_same_database(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    fake: FakeMarketplace,
) -> None:
    def first_sync_then_changes() -> None:
        make_sync(client, sessions).run()

    writes = count_writes(db_engine, first_sync_then_changes)
    expected = snapshot(db_engine)
    assert writes > 10
    stride = 1 if db_engine.dialect.name == "sqlite" else 3
    for number in range(1, writes + 1, stride):
        wipe(db_engine)
        with crash_at_write(db_engine, number), pytest.raises(InjectedCrash):
            make_sync(client, sessions).run()
        report = make_sync(client, sessions).run()
        assert report.ok, (number, report.errors)
        assert snapshot(db_engine) == expected, f"differs after a crash before write {number}"
        with sessions() as session:
            outcomes = session.scalars(select(SyncRun.outcome).order_by(SyncRun.id)).all()
        assert outcomes[-1] == "succeeded"
        assert set(outcomes[:-1]) <= {"interrupted"}


def test_a_marketplace_outage_mid_run_is_finished_by_the_next_run(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    fake: FakeMarketplace,
) -> None:
    make_sync(client, sessions).run()
    expected = snapshot(db_engine)
    wipe(db_engine)

    fake.fail(r"^/opportunities/code-with-us/", (503, {}, b'["Database error."]'), times=100)
    fake.fail(r"^/opportunities/team-with-us$", requests.ConnectionError("refused"), times=100)
    broken = make_sync(client, sessions).run()
    assert broken.outcome is RunOutcome.FAILED
    assert any("team-with-us" in error for error in broken.errors)
    assert broken.counts["opportunities"][CWU]["failed"] == 6
    fake.failures.clear()

    assert make_sync(client, sessions).run().ok
    assert snapshot(db_engine) == expected


def test_5xx_timeouts_and_429_are_retried_and_counted(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    sleeps: list[float],
) -> None:
    fake.fail(r"^/opportunities/code-with-us$", (502, {}, b"bad gateway"))
    fake.fail(r"^/opportunities/sprint-with-us$", requests.ReadTimeout("slow"))
    fake.fail(r"^/users$", (429, {"Retry-After": "7"}, b"slow down"))
    report = make_sync(client, sessions).run()
    assert report.ok, report.errors
    assert report.http["retries"] == 3
    assert report.http["retries_5xx"] == report.http["retries_timeout"] == 1
    assert report.http["retries_429"] == 1
    assert 7.0 in sleeps


def test_a_malformed_detail_is_quarantined_and_the_run_goes_on(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    fake.opportunities[CWU][PUBLISHED]["skills"] = "Python, maybe"
    report = make_sync(client, sessions).run()
    assert report.ok
    assert report.counts["opportunities"][CWU] == {
        "new": 5,
        "changed": 0,
        "unchanged": 0,
        "failed": 1,
    }
    with sessions() as session:
        quarantined = session.scalars(select(QuarantinedRecord)).one()
        assert session.get(Opportunity, PUBLISHED) is None
    assert quarantined.record_kind == "opportunity:code-with-us"
    assert quarantined.record_id == PUBLISHED
    assert quarantined.payload["skills"] == "Python, maybe"
    assert "skills" in quarantined.error

    make_sync(client, sessions).run()
    with sessions() as session:
        assert session.scalars(select(QuarantinedRecord)).one().times_seen == 2

    fake.opportunities[CWU][PUBLISHED]["skills"] = ["Python"]
    make_sync(client, sessions).run()
    with sessions() as session:
        assert session.get_one(Opportunity, PUBLISHED).skills == ["Python"]
        assert session.scalars(select(QuarantinedRecord)).one().resolved_at is not None


def test_a_malformed_list_item_is_quarantined_without_marking_it_removed(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    make_sync(client, sessions).run()
    original = fake.slim

    def broken_slim(kind: str, detail: dict[str, Any]) -> dict[str, Any]:
        item = original(kind, detail)
        if item["id"] == UNDER_REVIEW:
            item["proposalDeadline"] = "not a date"
        return item

    fake.slim = broken_slim  # type: ignore[method-assign]
    report = make_sync(client, sessions).run()
    assert report.ok
    with sessions() as session:
        assert session.get_one(Opportunity, UNDER_REVIEW).removed_at is None
        kinds = session.scalars(select(QuarantinedRecord.record_kind)).all()
    assert kinds == ["opportunity-list:code-with-us"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", b"File Not Found"), ("text/html", b"<html><body>Bad Request</body></html>")],
)
def test_a_non_json_answer_fails_the_kind_with_a_clear_error(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    content_type: str,
    body: bytes,
) -> None:
    fake.fail(r"^/opportunities/team-with-us$", (200, {"Content-Type": content_type}, body))
    report = make_sync(client, sessions).run()
    assert report.outcome is RunOutcome.FAILED
    assert "not the API's JSON" in report.errors[0]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 7
