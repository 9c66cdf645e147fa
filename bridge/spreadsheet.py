"""Cells a spreadsheet would run: CSV files people open in Excel or LibreOffice.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) is
read as a formula: ``=HYPERLINK(...)`` in a vendor's name or a marketplace title would run on the
reader's machine (OWASP "CSV injection"). Where a file is only read by people, such a cell is
neutralised with a leading apostrophe, which spreadsheets take as "this is text" and do not
show; where a file must reach its recipient unchanged, such text is refused instead.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def as_text_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it, never as a formula."""
    return f"'{value}" if runs_as_formula(value) else value


def from_text_cell(value: str) -> str:
    """``as_text_cell`` undone, for a cell that comes back from a spreadsheet."""
    return value[1:] if value.startswith("'") and runs_as_formula(value[1:]) else value
