"""The pilot's figures as open data: each fiscal quarter's aggregate outcomes, for the whole
programme and for each department, as one tidy CSV (a row per figure) that goes out through the
export sinks once the quarter is over.

Only counts, medians and sums: no opportunity, no supplier. A province or region with fewer
than three awards keeps its row, marked ``suppressed``, with no value: published, one award to an
individual in a small territory would name its supplier.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.contracts.numbering import fiscal_year
from bridge.departments.models import Department
from bridge.exports.models import Delivery, DeliveryKind
from bridge.outcomes.periods import Period, parse_period
from bridge.outcomes.reach import Reach, Tally
from bridge.outcomes.report import outcomes
from bridge.outcomes.stages import journeys
from bridge.settings import Settings
from bridge.spreadsheet import as_text_cell

COLUMNS = ("period", "department", "figure", "group", "measure", "value", "suppressed")
EVERY_DEPARTMENT = "ALL"
Row = dict[str, str]


def quarter_before(today: date) -> Period:
    """The last fiscal quarter (April to June is Q1) that ended before ``today``."""
    start = int(fiscal_year(today)[:4])
    quarter = (today.month - 4) % 12 // 3 + 1
    if quarter == 1:
        return parse_period(f"{start - 1}-{start}-Q4")
    return parse_period(f"{start}-{start + 1}-Q{quarter - 1}")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _tally_rows(figure: str, group: str, tally: Tally) -> list[tuple[str, str, str, str, bool]]:
    hidden = tally.too_small
    return [
        (figure, group, "awards", "" if hidden else str(tally.awards), hidden),
        (figure, group, "value", "" if hidden else f"{tally.value:.2f}", hidden),
    ]


def _reach_rows(reach: Reach) -> list[tuple[str, str, str, str, bool]]:
    rows = []
    for code, tally in sorted(reach.by_province.items()):
        rows += _tally_rows("awards_by_province", code, tally)
    rows += _tally_rows("awards_by_region", "national_capital_region", reach.capital_region)
    rows += _tally_rows("awards_by_region", "outside_national_capital_region", reach.elsewhere)
    suppliers = {
        "individuals": reach.individuals,
        "organizations": reach.organizations,
        "unique_suppliers": reach.unique_suppliers,
        "first_time_suppliers": reach.first_time_suppliers,
    }
    rows += [("suppliers", "", measure, str(count), False) for measure, count in suppliers.items()]
    proposals = {
        "median_per_opportunity": _cell(reach.proposals_per_opportunity),
        "opportunities_closed": str(reach.opportunities_closed),
        "opportunities_without_proposal": str(reach.without_proposal),
    }
    rows += [("proposals", "", measure, value, False) for measure, value in proposals.items()]
    return rows


def figure_rows(session: Session, settings: Settings, period: Period, now: datetime) -> list[Row]:
    """Every figure of ``period``, for the programme and then each department with any."""
    ordered = session.scalars(select(Department.acronym).order_by(Department.acronym))
    every_journey = journeys(session, settings.zone)  # read once for every department's report
    rows: list[Row] = []
    for acronym in [EVERY_DEPARTMENT, *ordered]:
        department = None if acronym == EVERY_DEPARTMENT else acronym
        report = outcomes(session, settings, period, now, department=department, read=every_journey)
        if department is not None and not report.calendar_days and not report.reach.by_province:
            continue  # a department with nothing in the period adds only zeros
        figures: list[tuple[str, str, str, str, bool]] = []
        for figure, summaries in (
            ("cycle_time_days", report.calendar_days),
            ("cycle_time_working_days", report.working_days),
        ):
            for stage, summary in summaries.items():
                figures += [
                    (figure, stage, "count", str(summary.count), False),
                    (figure, stage, "median", _cell(summary.median), False),
                    (figure, stage, "p90", _cell(summary.p90), False),
                ]
        figures += _reach_rows(report.reach)
        rows += [
            dict(
                zip(
                    COLUMNS,
                    (period.name, acronym, figure, group, measure, value, "yes" if hid else ""),
                    strict=True,
                )
            )
            for figure, group, measure, value, hid in figures
        ]
    return rows


def csv_text(rows: list[Row]) -> str:
    """The rows as CSV with a header; no cell runs as a formula in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([as_text_cell(row[column]) for column in COLUMNS])
    return out.getvalue()


def open_data_key(sink: str, period: Period) -> str:
    return f"{sink}:outcomes:{period.name}"


def queue_quarter(session: Session, settings: Settings, now: datetime) -> int:
    """Queue the last quarter's figures for every sink that has not had them (once each, by
    the idempotency key); returns how many deliveries were queued."""
    if not settings.outcomes_open_data or not settings.export_sinks:
        return 0
    period = quarter_before(now.astimezone(settings.zone).date())
    keys = {sink: open_data_key(sink, period) for sink in settings.export_sinks}
    known = set(
        session.scalars(
            select(Delivery.idempotency_key).where(Delivery.idempotency_key.in_(keys.values()))
        )
    )
    missing = [sink for sink, key in keys.items() if key not in known]
    if not missing:
        return 0
    rows = figure_rows(session, settings, period, now)
    payload = {"kind": DeliveryKind.OUTCOMES.value, "period": period.name, "rows": rows}
    for sink in missing:
        session.add(
            Delivery(
                kind=DeliveryKind.OUTCOMES.value,
                opportunity_id=period.name,
                revision=1,
                sink=sink,
                idempotency_key=keys[sink],
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return len(missing)
