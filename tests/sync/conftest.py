"""Sync tests run with the clock stopped at the captured marketplace's moment: two runs of the
same data stamp the same times, so their databases compare equal, whatever the day."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clock_at_capture(frozen_clock: object) -> None:
    """Every sync test runs on the frozen clock."""
