"""Counts, medians and 90th percentiles, computed the way a spreadsheet does (linear
interpolation between the nearest ranks), so that a reader can check a figure by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which ``share`` of ``values`` lie (``None`` for no values); Excel's
    PERCENTILE.INC and NumPy's default."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return cls(len(values), rounded(percentile(values, 0.5)), rounded(percentile(values, 0.9)))

    def as_dict(self) -> dict[str, float | int | None]:
        return {"count": self.count, "median": self.median, "p90": self.p90}
