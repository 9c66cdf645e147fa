"""Proactive disclosure reports for a chosen period, rebuilt from the exported records.

A quarter (``2026-2027-Q3``) gives the individual report: every contract and amendment over
$10,000 entered into or amended in it. A calendar year (``2026``) gives the aggregate row. Each
department publishes its own reports on the portal, so a report is one department's. The same
records give the same bytes, so a report can be regenerated at any time and compared. Nothing
invalid is written: the rows are validated against the portal's table first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bridge.exports.formats.disclosure import (
    AGGREGATE_TABLE,
    INDIVIDUAL_TABLE,
    RowError,
    Table,
    aggregate_rows,
    individual_rows,
    load_table,
    to_csv,
    validate,
)
from bridge.exports.outbox import exported_records
from bridge.exports.record import AwardRecord, from_document

QUARTER = re.compile(r"^(\d{4})-(\d{4})-Q([1-4])$")
YEAR = re.compile(r"^\d{4}$")


class InvalidPeriod(ValueError):
    pass


class InvalidReport(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems, first: {errors[0]}")
        self.errors = errors


@dataclass(frozen=True)
class Report:
    name: str  # e.g. "disclosure-individual-2026-2027-Q3"
    table: Table
    rows: list[dict[str, str]]

    def csv(self) -> bytes:
        return to_csv(self.table, self.rows)

    def json(self) -> bytes:
        return json.dumps(self.rows, ensure_ascii=False, indent=2).encode("utf-8")


def _records(session: Session) -> list[AwardRecord]:
    return [from_document(row.record) for row in exported_records(session) if row.record]


def departments_with_awards(session: Session) -> list[str]:
    """The acronyms of the departments that have award records, in order."""
    return sorted({record.department_acronym for record in _records(session)})


def disclosure_reports(session: Session, period: str) -> list[Report]:
    """One report of ``period`` per department that has award records."""
    return [
        disclosure_report(session, period, acronym) for acronym in departments_with_awards(session)
    ]


def disclosure_report(session: Session, period: str, department: str) -> Report:
    """``department``'s report of ``period`` (a fiscal quarter or a calendar year), validated.
    A department with nothing to disclose gets a report with no rows (individual) or zeros
    (aggregate), which is what it files."""
    records = [record for record in _records(session) if record.department_acronym == department]
    quarter = QUARTER.match(period)
    if quarter and int(quarter.group(2)) == int(quarter.group(1)) + 1:
        table = load_table(INDIVIDUAL_TABLE)
        rows = [
            row
            for record in records
            for row in individual_rows(record, table)
            if row["reporting_period"] == period
        ]
        rows.sort(key=lambda row: row["reference_number"])
        name = f"disclosure-individual-{period}-{department}"
    elif YEAR.match(period):
        table = load_table(AGGREGATE_TABLE)
        rows = aggregate_rows(records, int(period), table)
        name = f"disclosure-aggregate-{period}-{department}"
    else:
        raise InvalidPeriod(period)
    errors = validate(table, rows)
    if errors:
        raise InvalidReport(errors)
    return Report(name, table, rows)
