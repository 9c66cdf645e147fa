"""What the sync has gathered, as monitoring scripts and the panel read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.marketplace.models import OpportunityKind
from bridge.sync.models import Award, Opportunity, Proposal, QuarantinedRecord, SyncRun


def counts_by_kind_and_status(
    session: Session, model: type[Opportunity] | type[Proposal]
) -> dict[str, dict[str, int]]:
    """``{kind: {status: n}}`` of the records still on the marketplace, every kind present."""
    rows = session.execute(
        select(model.kind, model.status, func.count())
        .where(model.removed_at.is_(None))
        .group_by(model.kind, model.status)
    )
    counts: dict[str, dict[str, int]] = {kind.value: {} for kind in OpportunityKind}
    for kind, status, count in rows:
        counts.setdefault(kind, {})[status] = count
    return counts


def recent_runs(session: Session, limit: int = 10) -> list[SyncRun]:
    return list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def run_summary(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "outcome": run.outcome,
        "trigger": run.trigger,
        "full": run.full,
        "counts": run.counts,
        "errors": run.errors,
        "http": run.http,
    }


def unresolved_quarantine_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuarantinedRecord)
            .where(QuarantinedRecord.resolved_at.is_(None))
        )
        or 0
    )


def status_report(session: Session, runs: int = 10) -> dict[str, Any]:
    """The shape ``gc-bridge status --json`` prints (kinds and statuses as the marketplace's)."""
    return {
        "opportunities": counts_by_kind_and_status(session, Opportunity),
        "proposals": counts_by_kind_and_status(session, Proposal),
        "awards": session.scalar(select(func.count()).select_from(Award)) or 0,
        "quarantined": unresolved_quarantine_count(session),
        "runs": [run_summary(run) for run in recent_runs(session, runs)],
    }
