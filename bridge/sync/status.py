"""What the sync has gathered, as monitoring scripts and the panel read it (the figures come
from ``queries`` and the engine's ``store``; this module shapes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bridge.sync import store
from bridge.sync.models import (
    BacklogEntry,
    Opportunity,
    Proposal,
    SyncRun,
)
from bridge.sync.queries import (
    award_count,
    counts_by_kind_and_status,
    recent_runs,
    unresolved_quarantine_count,
)


@dataclass(frozen=True)
class Progress:
    """How far the mirror is from the marketplace: what readiness, the dashboard and
    ``status --json`` all say."""

    # Opportunities listed by the marketplace that no run has managed to read yet.
    behind: int
    # When the full re-read under way began, if one is (it may take several runs).
    full_pass_since: datetime | None


def progress(session: Session) -> Progress:
    open_pass = store.open_full_pass(session)
    began = session.get_one(SyncRun, open_pass).started_at if open_pass is not None else None
    return Progress(behind=store.backlog_count(session), full_pass_since=began)


def run_summary(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "outcome": run.outcome,
        "trigger": run.trigger,
        "full": run.full,
        "full_pass_of": run.full_pass_of,
        "behind": run.behind,
        "counts": run.counts,
        "errors": run.errors,
        "http": run.http,
    }


def backlog_summary(entry: BacklogEntry) -> dict[str, Any]:
    return {
        "id": entry.opportunity_id,
        "kind": entry.kind,
        "error": entry.error,
        "failures": entry.failures,
        "since": entry.first_failed_at.isoformat(),
    }


def status_report(session: Session, runs: int = 10) -> dict[str, Any]:
    """The shape ``gc-bridge status --json`` prints (kinds and statuses as the marketplace's)."""
    state = progress(session)
    return {
        "behind": state.behind,
        "backlog": [backlog_summary(entry) for entry in store.backlog(session)],
        "full_pass_since": state.full_pass_since.isoformat() if state.full_pass_since else None,
        "opportunities": counts_by_kind_and_status(session, Opportunity),
        "proposals": counts_by_kind_and_status(session, Proposal),
        "awards": award_count(session),
        "quarantined": unresolved_quarantine_count(session),
        "runs": [run_summary(run) for run in recent_runs(session, runs)],
    }
