"""The periods outcome figures are reported for: a calendar year (``2026``), a month
(``2026-11``), a GC fiscal year (``2026-2027``, April to March) or one of its quarters
(``2026-2027-Q3``, the disclosure's own periods). A period is a half-open range of days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

YEAR = re.compile(r"^(\d{4})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FISCAL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
FISCAL_QUARTER = re.compile(r"^(\d{4})-(\d{4})-Q([1-4])$")


class UnknownPeriod(ValueError):
    """Not a period the bridge reports for."""


@dataclass(frozen=True)
class Period:
    name: str
    start: date  # included
    end: date  # excluded

    def holds(self, day: date) -> bool:
        return self.start <= day < self.end


def _month_after(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def parse_period(text: str) -> Period:
    text = text.strip()
    if found := YEAR.match(text):
        year = int(found[1])
        return Period(text, date(year, 1, 1), date(year + 1, 1, 1))
    if (found := MONTH.match(text)) and 1 <= int(found[2]) <= 12:
        year, month = int(found[1]), int(found[2])
        return Period(text, date(year, month, 1), _month_after(year, month))
    fiscal = FISCAL_QUARTER.match(text) or FISCAL_YEAR.match(text)
    if fiscal and int(fiscal[2]) == int(fiscal[1]) + 1:
        first = int(fiscal[1])
        if fiscal.re is FISCAL_YEAR:
            return Period(text, date(first, 4, 1), date(first + 1, 4, 1))
        quarter = int(fiscal[3])
        start_month = 4 + 3 * (quarter - 1)  # April, July, October, January
        year = first + (start_month - 1) // 12
        month = (start_month - 1) % 12 + 1
        start = date(year, month, 1)
        return Period(text, start, _month_after(*_plus_months(year, month, 2)))
    raise UnknownPeriod(f"{text!r} is not a period: give 2026, 2026-11, 2026-2027 or 2026-2027-Q3")


def _plus_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1
