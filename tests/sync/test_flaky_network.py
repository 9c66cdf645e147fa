"""A sync converges through a network that loses answers: what a run reads counts, a full pass
goes on across runs, a run that misses a few records succeeds and names them, the next reads
them first, and a marketplace that stops answering fails the run at once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.retry import RetryPolicy
from bridge.sync import store
from bridge.sync.engine import OUTAGE_READS, SyncReport
from bridge.sync.models import BacklogEntry, RunOutcome, SyncRun
from tests.fakes.faulty_network import FAULT_KINDS, FaultPlan, ProxyLog, faulty_proxy
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.server import serve
from tests.fakes.world import API, CWU, PUBLISHED
from tests.sync.helpers import make_sync, snapshot, wipe

HOUR = timedelta(hours=1)
DETAIL = re.compile(r"^GET /api/opportunities/[a-z-]+/([0-9a-f-]{36})$")
TIMEOUT = 0.25


@contextmanager
def client_for(url: str, attempts: int = 3) -> Iterator[MarketplaceClient]:
    """A client as deployed, with a short timeout and backoff so that stalls cost little."""
    policy = RetryPolicy(max_attempts=attempts, base_seconds=0.01, max_seconds=0.05)
    with MarketplaceClient(
        f"{url}/api", "s%3Asession.signature", timeout=TIMEOUT, concurrency=4, retry=policy
    ) as client:
        yield client


def details_read(before: Counter[str], log: ProxyLog) -> set[str]:
    """The opportunities whose detail was asked for since ``before`` was taken."""
    after = log.matching("GET /api/opportunities/")
    return {
        match.group(1)
        for key, count in after.items()
        if count > before.get(key, 0) and (match := DETAIL.match(key.split("?")[0]))
    }


def backlog_of(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return store.backlog_ids(session)


def test_at_30_percent_faults_the_sync_converges_to_the_clean_database_in_three_runs(
    sessions: sessionmaker[Session], db_engine: Engine, fake: FakeMarketplace
) -> None:
    fake.grow(CWU, PUBLISHED, 60)
    listed = sum(len(items) for items in fake.opportunities.values())
    with serve(fake) as upstream:
        with client_for(upstream) as clean:
            assert make_sync(clean, sessions, recheck_open_after=HOUR).run(full=True).ok
        expected = snapshot(db_engine)
        wipe(db_engine)

        # Three attempts a read (the bridge's default is five) make records fall behind often
        # enough at this size to show what happens to them; the seed fixes which ones.
        plan = FaultPlan(rate=0.3, seed=2026, stall_seconds=4 * TIMEOUT)
        reports: list[tuple[SyncReport, set[str], set[str]]] = []
        with faulty_proxy(upstream, plan) as (url, log), client_for(url) as client:
            while len(reports) < 3 and not (
                reports and reports[-1][0].ok and reports[-1][0].behind == 0
            ):
                behind_before = backlog_of(sessions)
                before = log.matching("GET /api/opportunities/")
                engine = make_sync(client, sessions, recheck_open_after=HOUR)
                report = engine.run(full=not reports)
                reports.append((report, details_read(before, log), behind_before))

    assert reports[-1][0].ok and reports[-1][0].behind == 0, [r.errors for r, _, _ in reports]
    assert snapshot(db_engine) == expected
    assert set(log.faults) == set(FAULT_KINDS)  # every kind of fault was met
    first, first_reads, _ = reports[0]
    assert first.ok, first.errors
    assert len(first_reads) == listed
    assert first.http["retries"] >= 0.3 * first.http["requests"] * 0.5
    for _, reads, behind_before in reports[1:]:
        # After the first run, a run reads what was left behind, and nothing else.
        assert reads == behind_before, (reads, behind_before)
        assert len(reads) < listed / 10
    for report, _, _ in reports:
        errors = [error for error in report.errors if re.search(r"[0-9a-f-]{36}", error)]
        assert len(errors) >= report.behind  # every record behind is named


def test_a_run_that_cannot_read_a_few_records_succeeds_names_them_and_the_next_reads_them_first(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    fake.fail(rf"^/opportunities/{CWU}/{PUBLISHED}$", (503, {}, b""), times=1000)
    first = make_sync(client, sessions).run()
    assert first.outcome is RunOutcome.SUCCEEDED and first.behind == 1
    assert [error for error in first.errors if PUBLISHED in error and "503" in error]
    assert first.counts["opportunities"][CWU]["failed"] == 1
    with sessions() as session:
        entry = session.get_one(BacklogEntry, PUBLISHED)
        assert (entry.kind, entry.run_id, entry.failures) == (CWU, first.run_id, 1)
        assert session.get_one(SyncRun, first.run_id).behind == 1
    again = make_sync(client, sessions).run()
    assert again.ok and again.behind == 1
    with sessions() as session:
        assert session.get_one(BacklogEntry, PUBLISHED).failures == 2

    fake.failures.clear()
    fake.requests_seen.clear()
    with MarketplaceClient(API, "s%3Asession.signature", concurrency=1) as one_at_a_time:
        last = make_sync(one_at_a_time, sessions).run()
    assert last.ok and last.behind == 0 and last.errors == []
    details = [
        path for method, path in fake.requests_seen if re.match(r"^/opportunities/.+/", path)
    ]
    assert details[0] == f"/opportunities/{CWU}/{PUBLISHED}"  # what was behind comes first
    assert backlog_of(sessions) == set()


def test_a_record_gone_from_the_marketplace_leaves_the_backlog(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    fake.fail(rf"^/opportunities/{CWU}/{PUBLISHED}$", (503, {}, b""), times=1000)
    assert make_sync(client, sessions).run().behind == 1
    fake.delete(CWU, PUBLISHED)
    assert make_sync(client, sessions).run().behind == 0


def test_a_marketplace_that_stops_answering_fails_the_run_without_waiting_out_every_read(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    copies = fake.grow(CWU, PUBLISHED, 30)
    fake.fail(rf"^/opportunities/{CWU}/", (503, {}, b""), times=10**6)
    report = make_sync(client, sessions).run()
    assert report.outcome is RunOutcome.FAILED
    assert "stopped answering" in report.errors[-1]
    attempts = client.retry.max_attempts
    reads = fake.count("GET", rf"^/opportunities/{CWU}/")
    assert reads <= (OUTAGE_READS + 2 * client.concurrency) * attempts < len(copies) * attempts
    assert fake.count("GET", r"^/opportunities/sprint-with-us$") == 0  # the run stopped there
    fake.failures.clear()
    assert make_sync(client, sessions).run().ok


def test_a_full_pass_goes_on_across_runs_until_every_record_is_read_once(
    client: MarketplaceClient, sessions: sessionmaker[Session], fake: FakeMarketplace
) -> None:
    fake.fail(rf"^/opportunities/{CWU}/{PUBLISHED}$", (503, {}, b""), times=1000)
    first = make_sync(client, sessions, recheck_open_after=HOUR).run(full=True)
    assert first.ok and first.behind == 1
    with sessions() as session:
        assert store.open_full_pass(session) == first.run_id
        assert store.last_full_pass_started_at(session) is None

    # A retry of one record is no part of the pass, and does not end it.
    retried = make_sync(client, sessions).retry(f"opportunity:{CWU}", PUBLISHED, {})
    with sessions() as session:
        assert session.get_one(SyncRun, retried.run_id).full_pass_of is None
        assert store.open_full_pass(session) == first.run_id

    fake.failures.clear()
    fake.requests_seen.clear()
    second = make_sync(client, sessions, recheck_open_after=HOUR).run()
    assert second.ok and second.behind == 0
    assert fake.count("GET", r"^/opportunities/[a-z-]+/") == 1  # only the one left
    with sessions() as session:
        run = session.get_one(SyncRun, second.run_id)
        assert run.full and run.full_pass_of == first.run_id
        assert store.open_full_pass(session) is None
        assert store.last_full_pass_started_at(session) == first.started_at

    fake.requests_seen.clear()
    third = make_sync(client, sessions, recheck_open_after=HOUR).run()
    assert third.ok and fake.count("GET", r"^/opportunities/[a-z-]+/") == 0
    with sessions() as session:
        assert not session.get_one(SyncRun, third.run_id).full
