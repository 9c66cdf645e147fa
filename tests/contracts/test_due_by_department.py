"""What each department owes: unpaid requisitions summed as not yet due and overdue, the most
overdue first."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from bridge.contracts.due import DuePayment, by_department


def _owed(department: int, total: str, overdue: bool) -> DuePayment:
    contract: Any = SimpleNamespace(department_id=department)
    requisition: Any = SimpleNamespace(total=Decimal(total))
    return DuePayment(cast(Any, contract), cast(Any, requisition), overdue, -1 if overdue else 3)


def test_each_department_sums_what_is_due_and_overdue() -> None:
    summary = by_department(
        [
            _owed(1, "1130.00", overdue=False),
            _owed(2, "565.00", overdue=True),
            _owed(1, "2260.00", overdue=False),
            _owed(1, "100.00", overdue=True),
        ]
    )
    assert [
        (entry.department_id, entry.due, entry.due_total, entry.overdue, entry.overdue_total)
        for entry in summary
    ] == [
        (2, 0, Decimal("0.00"), 1, Decimal("565.00")),
        (1, 2, Decimal("3390.00"), 1, Decimal("100.00")),
    ]
    assert by_department([]) == []
