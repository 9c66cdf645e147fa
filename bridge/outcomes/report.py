"""The outcome figures of one period, as ``gc-bridge outcomes --json`` prints them and the
panel's Outcomes page shows them (one computation for both)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.departments.models import Department
from bridge.outcomes.periods import Period
from bridge.outcomes.reach import Reach, reach
from bridge.outcomes.stages import (
    POINTS,
    STAGES,
    Duration,
    Journey,
    journeys,
    stage_durations,
)
from bridge.outcomes.statistics import Summary
from bridge.outcomes.warnings import EarlyWarning, warnings
from bridge.settings import Settings

FINISHED = ("CANCELED",)
TREND_MONTHS = 12


@dataclass(frozen=True)
class Stuck:
    """An opportunity waiting at a point it has passed, for the next."""

    opportunity_id: str
    department_id: int | None
    at: str  # the last point passed
    since: datetime
    days: int


@dataclass(frozen=True)
class Month:
    """One month of the trend: what was published, awarded and paid in it, and how long the
    awards made in it took from the need."""

    month: str  # 2026-11
    published: int
    awarded: int
    paid: int
    need_to_award: Summary


@dataclass(frozen=True)
class Outcomes:
    period: Period
    department: str | None
    kind: str | None
    calendar_days: dict[str, Summary]
    working_days: dict[str, Summary]
    stuck: list[Stuck]
    reach: Reach
    warnings: list[EarlyWarning]
    acronyms: dict[int, str]
    trend: list[Month]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.name,
            "department": self.department,
            "kind": self.kind,
            "cycle_time_days": {
                stage: item.as_dict() for stage, item in self.calendar_days.items()
            },
            "cycle_time_working_days": {
                stage: item.as_dict() for stage, item in self.working_days.items()
            },
            "stuck": [
                {
                    "opportunity_id": item.opportunity_id,
                    "department": self.acronyms.get(item.department_id)
                    if item.department_id
                    else None,
                    "waiting_after": item.at,
                    "since": item.since.date().isoformat(),
                    "days": item.days,
                }
                for item in self.stuck
            ],
            "reach": self.reach.as_dict(),
            "warnings": [item.as_dict(self.acronyms) for item in self.warnings],
            "trend": [
                {
                    "month": item.month,
                    "published": item.published,
                    "awarded": item.awarded,
                    "paid": item.paid,
                    "need_to_award_days": item.need_to_award.as_dict(),
                }
                for item in self.trend
            ],
        }


def _stage_order(stage: str) -> tuple[int, int]:
    """The stages in their order, each approval step after review."""
    if stage.startswith("approval_step_"):
        return list(STAGES).index("review"), int(stage.rsplit("_", 1)[1])
    return list(STAGES).index(stage), 0


def outcomes(
    session: Session,
    settings: Settings,
    period: Period,
    now: datetime,
    *,
    department: str | None = None,
    kind: str | None = None,
    read: Sequence[Journey] | None = None,
) -> Outcomes:
    """The figures of ``period``: each stage counted in the period its end fell in; the stuck
    list and the warnings as they stand at ``now``; the reach of the awards made in it.
    ``department`` is an acronym (unknown: ``LookupError``); ``read``, every journey, when the
    caller already read them for a report of each department."""
    zone = settings.zone
    acronyms = dict(iter(session.execute(select(Department.id, Department.acronym))))
    department_ids = None
    if department is not None:
        matching = {
            key: acronym
            for key, acronym in acronyms.items()
            if acronym.upper() == department.upper()
        }
        if not matching:
            raise LookupError(department)
        department_ids = set(matching)
        department = next(iter(matching.values()))  # as the department spells it: NRCan
    every = {
        journey.opportunity_id: journey
        for journey in (journeys(session, zone) if read is None else read)
        if (department_ids is None or journey.department_id in department_ids)
        and (kind is None or journey.kind == kind)
    }
    durations = {key: stage_durations(journey, zone) for key, journey in every.items()}
    calendar: dict[str, list[float]] = defaultdict(list)
    working: dict[str, list[float]] = defaultdict(list)
    for journey in every.values():
        for stage, took in durations[journey.opportunity_id].items():
            end = _end_of(journey, stage)
            if period.holds(end.astimezone(zone).date()):
                calendar[stage].append(took.days)
                working[stage].append(took.working_days)
    order = sorted(calendar, key=_stage_order)
    return Outcomes(
        period=period,
        department=department,
        kind=kind,
        calendar_days={stage: Summary.of(calendar[stage]) for stage in order},
        working_days={stage: Summary.of(working[stage]) for stage in order},
        stuck=stuck(every.values(), now, zone),
        reach=reach(session, period, zone, department_ids=department_ids, kind=kind),
        warnings=warnings(
            session,
            settings,
            {key: journey.department_id for key, journey in every.items()},
            now,
            department_ids,
        ),
        acronyms=acronyms,
        trend=trend(every.values(), durations, period, zone),
    )


def _months(period: Period) -> list[str]:
    """The months of the period; at least the twelve up to its end, for a trend to read."""
    year, month = period.end.year, period.end.month
    names = []
    while True:
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        names.append(f"{year}-{month:02d}")
        first = date(year, month, 1)
        if first <= period.start and len(names) >= TREND_MONTHS:
            break
    return names[::-1]


def trend(
    every: Iterable[Journey],
    durations: Mapping[str, Mapping[str, Duration]],
    period: Period,
    zone: ZoneInfo,
) -> list[Month]:
    """Month by month, up to the period's end (``durations``: each journey's stages)."""
    names = _months(period)
    published: Counter[str] = Counter()
    awarded: Counter[str] = Counter()
    paid: Counter[str] = Counter()
    waits: dict[str, list[float]] = defaultdict(list)
    for journey in every:
        points = journey.points
        for point, counter in (("published", published), ("awarded", awarded), ("paid", paid)):
            if point in points:
                counter[points[point].astimezone(zone).strftime("%Y-%m")] += 1
        took = durations[journey.opportunity_id].get("need_to_award")
        if took is not None:
            waits[points["awarded"].astimezone(zone).strftime("%Y-%m")].append(took.days)
    return [
        Month(name, published[name], awarded[name], paid[name], Summary.of(waits[name]))
        for name in names
    ]


def _end_of(journey: Journey, stage: str) -> datetime:
    if stage.startswith("approval_step_"):
        position = int(stage.rsplit("_", 1)[1])
        return journey.steps[position - 1][2]
    return journey.points[STAGES[stage][1]]


def stuck(every: Any, now: datetime, zone: Any) -> list[Stuck]:
    """Opportunities not paid nor canceled, by how long they have waited since their last
    point, oldest first. One still open for proposals is not stuck: it waits for its deadline."""
    waiting = []
    for journey in every:
        if journey.status in FINISHED or "paid" in journey.points:
            continue
        at = journey.last_point()
        if at == "published" and journey.status == "PUBLISHED":
            continue
        since = journey.points[at]
        waiting.append(
            Stuck(journey.opportunity_id, journey.department_id, at, since, (now - since).days)
        )
    return sorted(waiting, key=lambda item: (item.since, item.opportunity_id))


__all__ = ["POINTS", "Outcomes", "outcomes"]
