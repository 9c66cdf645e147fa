"""The rules and the approvals take the sync's batches while it is still reading."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import responses
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals import flow
from bridge.approvals.models import ApprovalRequest
from bridge.jobs.alongside import Alongside
from bridge.jobs.runs import SyncService
from bridge.marketplace.client import MarketplaceClient
from bridge.rules.models import RuleEvaluation
from bridge.rules.pipeline import CURSOR
from bridge.settings import load_settings
from bridge.sync.engine import SyncEngine, SyncReport
from bridge.sync.models import ChangeEvent, EventCursor, Opportunity
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import UNDER_REVIEW
from tests.seeding import seed


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_work_is_taken_while_the_block_runs_and_the_thread_ends_with_it() -> None:
    waiting: list[int] = []
    lock = threading.Lock()

    def consume() -> int:
        with lock:
            taken = len(waiting)
            waiting.clear()
        return taken

    with Alongside(consume, name="test") as alongside:
        for batch in range(3):
            with lock:
                waiting.extend(range(batch + 1))
            assert wait_until(lambda: not waiting)
        assert alongside.taken == 6
    assert not alongside._thread.is_alive()


def test_a_failure_is_logged_and_never_reaches_the_block(caplog: pytest.LogCaptureFixture) -> None:
    def consume() -> int:
        raise RuntimeError("database gone")

    with caplog.at_level(logging.ERROR), Alongside(consume, name="judging") as alongside:
        assert wait_until(lambda: not alongside._thread.is_alive())
    assert "judging failed" in caplog.text


def test_a_first_sync_is_judged_and_routed_before_its_reading_ends(
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: responses.RequestsMock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.move_author()
    seed(sessions, chains=True)
    reading = SyncEngine.run
    caught_up_while_reading: list[bool] = []

    def cursor_of(consumer: str) -> int:
        with sessions() as session:
            cursor = session.get(EventCursor, consumer)
            return cursor.last_event_id if cursor else 0

    def caught_up() -> bool:
        with sessions() as session:
            last = session.scalar(select(func.max(ChangeEvent.id))) or 0
        return last > 0 and cursor_of(CURSOR) == last == cursor_of(flow.CURSOR)

    def run_then_wait(engine: SyncEngine, **options: object) -> SyncReport:
        report = reading(engine, **options)  # type: ignore[arg-type]
        # Still inside the sync's turn: only the thread beside it can judge now.
        caught_up_while_reading.append(wait_until(caught_up))
        return report

    monkeypatch.setattr(SyncEngine, "run", run_then_wait)
    settings = load_settings({"BRIDGE_DATA_DIR": str(tmp_path)})
    service = SyncService(settings, sessions.kw["bind"], client_factory=lambda _settings: client)
    report = service.run_once(full=True)
    assert report is not None and report.ok
    assert caught_up_while_reading == [True]
    with sessions() as session:
        opportunities = session.scalar(select(func.count()).select_from(Opportunity))
        evaluations = session.scalar(select(func.count()).select_from(RuleEvaluation))
        requests = session.scalars(
            select(ApprovalRequest.opportunity_id).where(ApprovalRequest.status == "open")
        ).all()
    assert evaluations == opportunities  # each judged once, none again as a neighbour
    assert requests == [UNDER_REVIEW]
