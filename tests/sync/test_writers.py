"""Large runs write from a second process: the same database, and just as safe when cut off."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.engine import make_engine
from bridge.marketplace.client import Answer, MarketplaceClient
from bridge.marketplace.models import OpportunityKind
from bridge.sync.applier import AppliedBatch, BatchApplier, RunContext
from bridge.sync.details import DetailJob, DetailResult
from bridge.sync.engine import SyncEngine
from bridge.sync.models import Opportunity, RunOutcome
from bridge.sync.writers import InlineWriter, ProcessWriter, WriterFactory, writer_factory
from tests.conftest import FIXED_NOW
from tests.fakes.marketplace import FIXTURES
from tests.sync.helpers import make_sync, snapshot, wipe

STARTED = "writing this run's batches in process"


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def in_a_process(database_url: str, writer: type[ProcessWriter] = ProcessWriter) -> WriterFactory:
    """Every run writes from a second process, however little it has to write."""
    return lambda applier: writer(applier, database_url, threshold=0)


def sync_with(
    client: MarketplaceClient, sessions: sessionmaker[Session], writers: WriterFactory
) -> SyncEngine:
    engine = make_sync(client, sessions)
    engine.writers = writers
    return engine


def test_a_writing_process_gives_the_same_database_and_counts_as_writing_in_place(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    in_place = [make_sync(client, sessions).run() for _ in range(2)]
    expected = snapshot(db_engine)
    wipe(db_engine)

    caplog.set_level(logging.INFO, logger="bridge.sync.writers")
    separate = [
        sync_with(client, sessions, in_a_process(url_of(db_engine))).run() for _ in range(2)
    ]

    assert caplog.text.count(STARTED) == 2
    assert [report.outcome for report in separate] == [RunOutcome.SUCCEEDED] * 2
    assert [report.counts for report in separate] == [report.counts for report in in_place]
    assert snapshot(db_engine) == expected


class KilledAfterFirstBatch(ProcessWriter):
    """The writing process dies (out of memory, a kill -9) after taking its first batch."""

    def submit(self, kind: str, batch: list[DetailResult]) -> list[AppliedBatch]:
        written = super().submit(kind, batch)
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
        return written


def test_a_writing_process_killed_mid_run_fails_the_run_and_the_next_run_finishes_the_work(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    make_sync(client, sessions).run()
    expected = snapshot(db_engine)
    wipe(db_engine)

    killed = sync_with(client, sessions, in_a_process(url_of(db_engine), KilledAfterFirstBatch))
    report = killed.run()

    assert report.outcome is RunOutcome.FAILED
    assert any("writing process ended unexpectedly" in error for error in report.errors)
    again = make_sync(client, sessions).run()
    assert again.ok, again.errors
    assert snapshot(db_engine) == expected


def test_a_database_error_in_the_writing_process_fails_the_run_with_its_message(
    client: MarketplaceClient, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    unmigrated = f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    report = sync_with(client, sessions, in_a_process(unmigrated)).run()

    assert report.outcome is RunOutcome.FAILED
    assert any(
        "writing failed: OperationalError" in error and "no such table" in error
        for error in report.errors
    ), report.errors


def test_a_stopped_run_still_writes_what_it_handed_over(
    client: MarketplaceClient, sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    engine = sync_with(client, sessions, in_a_process(url_of(db_engine)))
    engine.progress = lambda kind, done, total: engine.stop.set()

    report = engine.run()

    assert report.outcome is RunOutcome.INTERRUPTED
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Opportunity))
    assert stored is not None and stored >= 1


def test_small_runs_write_in_place(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bridge.sync.writers")
    engine = make_sync(client, sessions)
    engine.writers = writer_factory(db_engine, separate_process=True)

    assert engine.run().ok
    assert STARTED not in caplog.text


def test_a_database_in_memory_or_the_setting_off_means_writing_in_place(tmp_path: Path) -> None:
    applier = BatchApplier(sessionmaker(), RunContext(run_id=1, now=FIXED_NOW))
    in_memory = make_engine("sqlite://")
    on_disk = make_engine(f"sqlite:///{tmp_path / 'bridge.sqlite3'}")

    assert isinstance(writer_factory(in_memory, separate_process=True)(applier), InlineWriter)
    assert isinstance(writer_factory(on_disk, separate_process=False)(applier), InlineWriter)
    assert isinstance(writer_factory(on_disk, separate_process=True)(applier), ProcessWriter)


def test_a_result_travels_as_the_marketplace_bytes_and_decodes_the_same() -> None:
    content = (FIXTURES / "cwu-opportunity.detail.AWARDED.admin.json").read_bytes()
    proposals = (FIXTURES / "cwu-proposals.list-for-opportunity.AWARDED.admin.json").read_bytes()
    kind = OpportunityKind.CODE_WITH_US
    result = DetailResult(
        job=DetailJob(kind=kind, id="b11f28ff-9723-4a60-858a-e329ce69a76f", stored=None, full=True),
        detail=Answer("opportunities/code-with-us/x", content, 'W/"1"', not_modified=False),
        proposals_answer=Answer("proposals/code-with-us", proposals, None, not_modified=False),
    )
    decoded = (result.outline, result.record, result.proposals)

    travelled = pickle.loads(pickle.dumps(result))

    assert not {"outline", "record", "proposals"} & set(vars(travelled))
    assert len(pickle.dumps(result)) < len(content) + len(proposals) + 1000
    assert (travelled.outline, travelled.record, travelled.proposals) == decoded
    assert travelled.etag == 'W/"1"'
