"""Contract numbers: per department and GC fiscal year (April to March), in issue order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.contracts.models import Contract


def fiscal_year(day: date) -> str:
    """``2026-27`` for any day from 1 April 2026 to 31 March 2027."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def next_sequence(session: Session, department_id: int, year: str) -> int:
    """The next number in the department's year. Two contracts issued at once would take the
    same one; the unique constraint on (department, year, sequence) refuses the second."""
    last = session.scalar(
        select(func.max(Contract.sequence)).where(
            Contract.department_id == department_id, Contract.fiscal_year == year
        )
    )
    return int(last or 0) + 1


def contract_number(acronym: str, year: str, sequence: int) -> str:
    return f"{acronym}-{year}-{sequence:04d}"
