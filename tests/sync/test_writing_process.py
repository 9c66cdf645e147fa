"""Large runs write from a second process: the same database, and just as safe when cut off."""

from __future__ import annotations

import json
import logging
import pickle
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.engine import make_engine, session_factory, transaction
from bridge.db.migrate import upgrade
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.decode import Answer
from bridge.sync import engine as sync_engine
from bridge.sync import store
from bridge.sync.applier import AppliedBatch, BatchApplier, RunContext
from bridge.sync.details import DetailJob, DetailResult
from bridge.sync.engine import SyncEngine
from bridge.sync.models import Opportunity, RunOutcome
from bridge.sync.writing_process import (
    BATCHES_AHEAD,
    InlineWriter,
    ProcessWriter,
    Report,
    WriterFactory,
    WriterFailed,
    writer_factory,
)
from tests.conftest import FIXED_NOW
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, FIXTURES
from tests.sync.helpers import make_sync, snapshot, wipe

STARTED = "writing this run's batches in process"
AWARDED_DETAIL = "cwu-opportunity.detail.AWARDED.admin.json"


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def in_a_process(
    database_url: str, writer: type[ProcessWriter] = ProcessWriter, threshold: int = 0
) -> WriterFactory:
    """Runs write from a second process once they expect ``threshold`` records (0: always)."""

    def factory(applier: BatchApplier, report: Report) -> ProcessWriter:
        return writer(applier, report, database_url, threshold=threshold)

    return factory


def sync_with(
    client: MarketplaceClient, sessions: sessionmaker[Session], writers: WriterFactory
) -> SyncEngine:
    engine = make_sync(client, sessions)
    engine.writers = writers
    return engine


def opportunities_stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Opportunity)) or 0


@pytest.mark.parametrize("batch_size", [sync_engine.BATCH_SIZE, 1])
def test_a_writing_process_gives_the_same_database_and_counts_as_writing_in_place(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    batch_size: int,
) -> None:
    # One opportunity a batch: more batches than may wait for the writer at once.
    monkeypatch.setattr(sync_engine, "BATCH_SIZE", batch_size)
    in_place = [make_sync(client, sessions).run() for _ in range(2)]
    expected = snapshot(db_engine)
    wipe(db_engine)

    caplog.set_level(logging.INFO, logger="bridge.sync.writing_process")
    writers = in_a_process(url_of(db_engine))
    separate = [sync_with(client, sessions, writers).run() for _ in range(2)]

    assert caplog.text.count(STARTED) == 2
    assert [report.outcome for report in separate] == [RunOutcome.SUCCEEDED] * 2
    assert [report.counts for report in separate] == [report.counts for report in in_place]
    assert snapshot(db_engine) == expected


class DiesAfterFirstBatch(ProcessWriter):
    """The writing process dies (out of memory, a kill -9) once it has its first batch."""

    def submit(self, kind: str, batch: list[DetailResult]) -> None:
        super().submit(kind, batch)
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


def test_a_writing_process_that_dies_fails_the_run_and_the_next_run_finishes_the_work(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    make_sync(client, sessions).run()
    expected = snapshot(db_engine)
    wipe(db_engine)

    report = sync_with(client, sessions, in_a_process(url_of(db_engine), DiesAfterFirstBatch)).run()

    assert report.outcome is RunOutcome.FAILED
    assert any("writing process ended unexpectedly" in error for error in report.errors)
    again = make_sync(client, sessions).run()
    assert again.ok, again.errors
    assert snapshot(db_engine) == expected


def test_a_writing_process_killed_inside_its_transaction_leaves_nothing_half_written(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL shows another connection waiting inside its transaction")
    make_sync(client, sessions).run()
    expected = snapshot(db_engine)
    wipe(db_engine)

    class KilledWhileWriting(ProcessWriter):
        """Holds the opportunities table until the writer waits on it mid-batch, then kills it."""

        def submit(self, kind: str, batch: list[DetailResult]) -> None:
            if self.process is None or kind != CWU.value:
                super().submit(kind, batch)
                return
            with db_engine.connect() as blocker:
                blocker.execute(text("LOCK TABLE opportunities IN EXCLUSIVE MODE"))
                super().submit(kind, batch)
                waiting_on_lock(db_engine)
                self.process.kill()
                self.process.join()
                blocker.rollback()

    report = sync_with(client, sessions, in_a_process(url_of(db_engine), KilledWhileWriting)).run()

    assert report.outcome is RunOutcome.FAILED
    assert opportunities_stored(sessions) == 0
    assert make_sync(client, sessions).run().ok
    assert snapshot(db_engine) == expected


def waiting_on_lock(engine: Engine, timeout: float = 30.0) -> None:
    """Until another connection waits for a lock on the opportunities (each look a fresh
    transaction: within one, PostgreSQL keeps showing the activity it saw first)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query ILIKE '%opportunities%'"
    )
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(query).scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the writing process never reached its first write")


def test_a_database_error_in_the_writing_process_fails_the_run_with_its_message(
    client: MarketplaceClient, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    unmigrated = f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    report = sync_with(client, sessions, in_a_process(unmigrated)).run()

    assert report.outcome is RunOutcome.FAILED
    assert any(
        "writing failed: no code-with-us of a batch could be stored" in error
        and "no such table" in error
        for error in report.errors
    ), report.errors
    # Each opportunity the database refused is counted and named, as when writing in place.
    assert report.counts["opportunities"][CWU.value]["failed"] >= 1
    assert any(error.startswith("code-with-us ") for error in report.errors)


@pytest.mark.parametrize("separate_process", [False, True])
def test_an_answer_that_is_not_the_api_json_fails_its_opportunity_alone(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    fake: FakeMarketplace,
    separate_process: bool,
) -> None:
    """Proposals are decoded where they are written; a bad answer is still one failed read."""
    bad = (200, {"Content-Type": "application/json"}, b'{"not": "a list"}')
    fake.fail(r"^/proposals/code-with-us$", bad)
    writers = in_a_process(url_of(db_engine)) if separate_process else InlineWriter

    report = sync_with(client, sessions, writers).run()

    assert report.counts["opportunities"][CWU.value]["failed"] == 1
    assert any("expected a JSON list" in error for error in report.errors), report.errors
    with sessions() as session:
        kinds = dict(
            session.execute(select(Opportunity.kind, func.count()).group_by(Opportunity.kind)).all()
        )
    assert kinds == {CWU.value: 5, "sprint-with-us": 1, "team-with-us": 1}
    again = make_sync(client, sessions).run()
    assert again.ok, again.errors
    assert opportunities_stored(sessions) == 8


def test_a_stopped_run_still_writes_what_it_handed_over(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    engine = sync_with(client, sessions, in_a_process(url_of(db_engine)))
    engine.progress = lambda kind, done, total: engine.stop.set()

    report = engine.run()

    assert report.outcome is RunOutcome.INTERRUPTED
    assert opportunities_stored(sessions) >= 1


def test_only_runs_with_many_records_to_write_start_a_process(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bridge.sync.writing_process")
    writers = in_a_process(url_of(db_engine), threshold=8)

    assert sync_with(client, sessions, writers).run().ok  # 8 opportunities, all new
    assert caplog.text.count(STARTED) == 1
    # Every open one is re-read, conditionally: 304s cost nothing to write.
    assert sync_with(client, sessions, writers).run().ok
    assert caplog.text.count(STARTED) == 1
    assert sync_with(client, sessions, in_a_process(url_of(db_engine), threshold=9)).run().ok
    assert sync_with(client, sessions, writer_factory(db_engine, separate_process=True)).run().ok
    assert caplog.text.count(STARTED) == 1


def test_a_database_in_memory_or_the_setting_off_means_writing_in_place(tmp_path: Path) -> None:
    applier = BatchApplier(sessionmaker(), RunContext(run_id=1, now=FIXED_NOW))
    on_disk = make_engine(f"sqlite:///{tmp_path / 'bridge.sqlite3'}")

    for in_memory in ("sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"):
        writers = writer_factory(make_engine(in_memory), separate_process=True)
        assert isinstance(writers(applier, print), InlineWriter), in_memory
    assert isinstance(writer_factory(on_disk, separate_process=False)(applier, print), InlineWriter)
    assert isinstance(writer_factory(on_disk, separate_process=True)(applier, print), ProcessWriter)


def detail_result(body: bytes, opportunity_id: str, proposals: bytes | None = None) -> DetailResult:
    path = f"opportunities/code-with-us/{opportunity_id}"
    return DetailResult(
        job=DetailJob(kind=CWU, id=opportunity_id, stored=None, full=True),
        detail=Answer(path, body, 'W/"1"', not_modified=False),
        proposals_answer=None if proposals is None else Answer("proposals", proposals, None, False),
    )


def test_a_result_travels_as_the_marketplace_bytes_and_decodes_the_same() -> None:
    content = (FIXTURES / AWARDED_DETAIL).read_bytes()
    proposals = (FIXTURES / "cwu-proposals.list-for-opportunity.AWARDED.admin.json").read_bytes()
    result = detail_result(content, "b11f28ff-9723-4a60-858a-e329ce69a76f", proposals)
    decoded = (result.outline, result.record, result.proposals)

    travelled = pickle.loads(pickle.dumps(result))

    assert not {"outline", "record", "proposals"} & set(vars(travelled))
    assert len(pickle.dumps(result)) < len(content) + len(proposals) + 1000
    assert (travelled.outline, travelled.record, travelled.proposals) == decoded
    assert travelled.etag == 'W/"1"'


def test_large_batches_and_large_answers_at_once_do_not_block_either_process(
    tmp_path: Path,
) -> None:
    """Batches bigger than the pipe's buffer one way, many refusals the other way."""
    url = f"sqlite:///{tmp_path / 'bridge.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        run_id = store.start_run(session, "test", True, FIXED_NOW).id
    with engine.begin() as connection:  # refuse every opportunity but one a batch, at length
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON opportunities WHEN NEW.id NOT LIKE 'keep%' "
                f"BEGIN SELECT RAISE(ABORT, '{'refused ' * 200}'); END"
            )
        )
    payload = json.loads((FIXTURES / AWARDED_DETAIL).read_bytes())
    payload["description"] += " padding" * 500

    def batch(number: int) -> list[DetailResult]:
        ids = [f"{'keep' if index == 0 else 'b'}-{number}-{index}" for index in range(200)]
        return [detail_result(json.dumps({**payload, "id": i}).encode(), i) for i in ids]

    reported: list[AppliedBatch] = []
    writer = ProcessWriter(
        BatchApplier(sessions, RunContext(run_id=run_id, now=FIXED_NOW)), reported.append, url, 0
    )
    writer.expect(0)
    finished = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for number in range(5):
                writer.submit(CWU.value, batch(number))
            writer.finish()
        except BaseException as exc:
            errors.append(exc)
        finished.set()

    threading.Thread(target=run, daemon=True).start()
    done = finished.wait(timeout=120)
    writer.close()

    assert done, "the processes blocked each other"
    assert not errors, errors
    assert sum(applied.tally["opportunities", CWU.value, "new"] for applied in reported) == 5
    refusals = [error for applied in reported for error in applied.errors]
    assert len(refusals) == 5 * 199
    assert all("cannot store" in error and "refused" in error for error in refusals)


def test_a_writer_that_failed_has_nothing_left_to_finish(tmp_path: Path) -> None:
    reported: list[AppliedBatch] = []
    applier = BatchApplier(sessionmaker(), RunContext(run_id=1, now=FIXED_NOW))
    writer = ProcessWriter(applier, reported.append, f"sqlite:///{tmp_path / 'none.sqlite3'}", 0)
    writer.expect(0)
    content = (FIXTURES / AWARDED_DETAIL).read_bytes()
    try:
        with pytest.raises(WriterFailed, match="no such table"):
            for _ in range(BATCHES_AHEAD + 1):
                writer.submit(CWU.value, [detail_result(content, "x")])
        writer.finish()  # returns at once: nothing more will be written
    finally:
        writer.close()
    assert writer.process is None
