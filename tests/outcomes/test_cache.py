"""The kept outcome figures: made once while the data stays the same, made again after any
write the figures depend on or after a minute, and made once when many ask at the same time."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor, record
from bridge.db.engine import transaction
from bridge.outcomes.cache import ReportCache
from bridge.outcomes.report import Outcomes
from bridge.sync.models import ChangeEvent, SyncRun
from tests.factories import create_opportunity


class Maker:
    """Makes a new stand-in report at each call, and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Outcomes:
        self.calls += 1
        return cast(Outcomes, object())


@pytest.fixture
def kept() -> ReportCache:
    return ReportCache()


def _get(kept: ReportCache, sessions: sessionmaker[Session], make: Maker) -> Outcomes:
    with sessions() as session:
        return kept.get(session, ("2026-2027", None, None), make)


def test_kept_while_nothing_changes(
    kept: ReportCache, sessions: sessionmaker[Session], frozen_clock: Any
) -> None:
    make = Maker()
    first = _get(kept, sessions, make)
    assert _get(kept, sessions, make) is first and make.calls == 1
    with sessions() as session:  # another key is another report
        kept.get(session, ("2026-2027", "TBS", None), make)
    assert make.calls == 2


@pytest.mark.parametrize("write", ["audit", "change", "sync"])
def test_made_again_after_a_write_the_figures_depend_on(
    write: str, kept: ReportCache, sessions: sessionmaker[Session], frozen_clock: Any
) -> None:
    make = Maker()
    first = _get(kept, sessions, make)
    with transaction(sessions) as session:
        if write == "audit":
            record(session, Actor.job("test"), "contract.issued", "contract", "X")
        elif write == "change":
            opportunity = create_opportunity(session)
            session.add(
                ChangeEvent(
                    type="created",
                    opportunity_id=opportunity.id,
                    opportunity_kind=opportunity.kind,
                    version=1,
                )
            )
        else:
            session.add(SyncRun())
    assert _get(kept, sessions, make) is not first and make.calls == 2


def test_made_again_after_a_minute(
    kept: ReportCache, sessions: sessionmaker[Session], frozen_clock: Any
) -> None:
    make = Maker()
    first = _get(kept, sessions, make)
    frozen_clock.shift(timedelta(seconds=59))
    assert _get(kept, sessions, make) is first
    frozen_clock.shift(timedelta(seconds=2))
    assert _get(kept, sessions, make) is not first and make.calls == 2


def test_made_once_when_many_ask_at_once(
    kept: ReportCache, sessions: sessionmaker[Session]
) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> Outcomes:
        calls.append(1)
        entered.set()
        release.wait()
        return cast(Outcomes, object())

    got: list[Outcomes] = []

    def ask() -> None:
        with sessions() as session:
            got.append(kept.get(session, "key", slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    entered.wait()
    time.sleep(0.2)  # the other seven reach the lock
    release.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(got) == 8 and all(report is got[0] for report in got)


def test_only_the_most_recent_reports_are_kept(
    kept: ReportCache, sessions: sessionmaker[Session], frozen_clock: Any
) -> None:
    from bridge.outcomes.cache import KEPT

    make = Maker()
    with sessions() as session:
        first = kept.get(session, 0, make)
        for key in range(1, KEPT + 1):
            kept.get(session, key, make)
        assert kept.get(session, KEPT, make) is not None and make.calls == KEPT + 1
        assert kept.get(session, 0, make) is not first  # the oldest was let go
    assert make.calls == KEPT + 2
