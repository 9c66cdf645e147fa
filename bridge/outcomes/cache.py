"""The outcome figures kept between requests, for as long as nothing they are made from changed.

Ten thousand opportunities take a few hundred milliseconds to read and count, and one server
process counts on one core: recounting for every request would cap the Outcomes page at a few
pages a second. The figures change only when the data does, so each report is kept with the
state of the data it was made from (the last audit entry, change event, rule evaluation and sync
run: every write the figures depend on leaves one of them) and made again when that state
moves, or once it is a minute old, for what depends on the time alone (days waited, deadlines
drawing near). One request makes a missing report; the others asking for it at the same moment
wait for it rather than count it too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.audit.models import AuditEntry
from bridge.clock import utcnow
from bridge.outcomes.report import Outcomes
from bridge.rules.models import RuleEvaluation
from bridge.sync.models import ChangeEvent, SyncRun

MAX_AGE = timedelta(minutes=1)
KEPT = 64  # reports kept at most (a period, a department and a kind each)


def data_state(session: Session) -> tuple[Any, ...]:
    """What moves whenever a figure could: one query of four indexed maxima and the last run's
    end (a sync in progress ends with one)."""
    latest_run = select(func.max(SyncRun.id)).scalar_subquery()
    return tuple(
        session.execute(
            select(
                select(func.max(AuditEntry.id)).scalar_subquery(),
                select(func.max(ChangeEvent.id)).scalar_subquery(),
                select(func.max(RuleEvaluation.id)).scalar_subquery(),
                latest_run,
                select(SyncRun.finished_at).where(SyncRun.id == latest_run).scalar_subquery(),
            )
        ).one()
    )


@dataclass
class _Kept:
    state: tuple[Any, ...]
    made_at: datetime
    report: Outcomes
    # What is drawn from the report (a page's charts in a language), kept and dropped with it.
    drawn: dict[Hashable, Any] = field(default_factory=dict)


class ReportCache:
    def __init__(self, max_age: timedelta = MAX_AGE) -> None:
        self.max_age = max_age
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._guard = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def get(self, session: Session, key: Hashable, make: Callable[[], Outcomes]) -> Outcomes:
        """The report of ``key``, kept or made by ``make`` (under ``key``'s lock)."""
        return self._entry(session, key, make).report

    def drawn(
        self,
        session: Session,
        key: Hashable,
        make: Callable[[], Outcomes],
        view: Hashable,
        draw: Callable[[Outcomes], Any],
    ) -> tuple[Outcomes, Any]:
        """The report of ``key`` and what ``draw`` makes of it for ``view`` (e.g. charts in a
        language), each made once while the report is kept."""
        entry = self._entry(session, key, make)
        with self._guard:
            if view in entry.drawn:
                return entry.report, entry.drawn[view]
        drawing = draw(entry.report)
        with self._guard:
            return entry.report, entry.drawn.setdefault(view, drawing)

    def _entry(self, session: Session, key: Hashable, make: Callable[[], Outcomes]) -> _Kept:
        state = data_state(session)
        if (entry := self._fresh(key, state)) is not None:
            return entry
        with self._guard:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            if (entry := self._fresh(key, state)) is not None:
                return entry  # another request made it while this one waited
            entry = _Kept(state, utcnow(), make())
            with self._guard:
                self._kept[key] = entry
                self._kept.move_to_end(key)
                while len(self._kept) > KEPT:
                    dropped, _entry = self._kept.popitem(last=False)
                    self._making.pop(dropped, None)  # its lock goes with it
            return entry

    def _fresh(self, key: Hashable, state: tuple[Any, ...]) -> _Kept | None:
        with self._guard:
            entry = self._kept.get(key)
            if entry is None or entry.state != state:
                return None
            if not timedelta(0) <= utcnow() - entry.made_at <= self.max_age:
                return None
            self._kept.move_to_end(key)
            return entry
