"""The bridge's one clock.

Every "now" the bridge acts on (row stamps, due dates, leases, deadlines, readiness) comes from
``utcnow``, so a test that fixes a moment with ``time_machine`` fixes it for the code under test
as well, and a process started under ``faketime`` sees one consistent shifted time. Functions
that decide by time still take an optional ``now``, for callers that must agree on one instant
across several steps.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)
