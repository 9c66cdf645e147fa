"""Writing what a run read: one transaction per batch of whole opportunities.

A batch holds whole opportunities with their proposals, award and change events, so that a
run cut off anywhere leaves a consistent database and the next run finishes the work. If the
batch's transaction fails, each result is written alone, to isolate the one that cannot be
stored and keep the others.

Nothing here knows which process it runs in: the run's engine applies batches itself, or hands
them to a writing process that applies them with this same code (``bridge.sync.writing_process``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.engine import transaction
from bridge.marketplace.decode import Malformed
from bridge.marketplace.errors import MarketplaceError
from bridge.sync import batch_upsert, store
from bridge.sync.details import DetailResult
from bridge.sync.store import Outcome

log = logging.getLogger(__name__)

# (section, kind, outcome) -> how many: "opportunities", "code-with-us", "new".
Tally = Counter[tuple[str, str, str]]


@dataclass(frozen=True)
class RunContext:
    """What writing needs to know of its run; small and picklable, for a writing process."""

    run_id: int
    now: datetime
    # Records in quarantine when the run started: a clean read of one of them resolves it.
    quarantined: frozenset[tuple[str, str]] = frozenset()
    # The full pass the run belongs to (the id of its first run), if any.
    pass_of: int | None = None
    # Opportunities in the backlog when the run started: reading one takes it out.
    backlog: frozenset[str] = frozenset()


@dataclass
class AppliedBatch:
    """What writing a batch did, to be added to the run's counts and errors."""

    tally: Tally = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    # Opportunity id → (kind, reason): read but not stored, so they go to the backlog.
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)

    def fail(self, result: DetailResult, reason: str) -> None:
        kind = result.job.kind.value
        self.tally["opportunities", kind, Outcome.FAILED.value] += 1
        self.errors.append(f"{kind} {result.job.id}: {reason}")
        self.failed[result.job.id] = (kind, reason)


class DatabaseFailing(Exception):
    """Not one result of a batch could be stored: the database itself is failing, and the run
    must stop rather than count every opportunity as failed. ``applied`` says what was tried."""

    def __init__(self, kind: str, applied: AppliedBatch, cause: SQLAlchemyError) -> None:
        super().__init__(f"no {kind} of a batch could be stored: {type(cause).__name__}: {cause}")
        self.applied = applied


def quarantine_all(
    session: Session,
    now: datetime,
    records: list[Malformed],
    tally: Tally,
    section: str,
    kind: str,
) -> None:
    """Keep malformed records for an operator to look at; each counts as a failure."""
    for record in records:
        log.warning("quarantined %s %s: %s", record.record_kind, record.record_id, record.error)
        store.quarantine(session, record, now)
        tally[section, kind, Outcome.FAILED.value] += 1


def resolve(
    session: Session, context: RunContext, record_kind: str, record_ids: Collection[str]
) -> None:
    """Close the quarantine entries of records that now read cleanly."""
    for record_id in record_ids:
        if (record_kind, record_id) in context.quarantined:
            store.resolve_quarantine(session, record_kind, record_id, context.now)


class BatchApplier:
    """Writes batches of one run's results into one database."""

    def __init__(self, sessions: sessionmaker[Session], context: RunContext) -> None:
        self.sessions = sessions
        self.context = context

    def apply(self, kind: str, batch: list[DetailResult]) -> AppliedBatch:
        """Write a batch in one transaction; if that fails, each result alone.

        An answer that turns out not to be the API's JSON when it is decoded here counts as a
        failed read of its opportunity, as it would have where it was read: nothing of that
        opportunity is written, and the next run reads it again.
        """
        applied = AppliedBatch()
        batch = [result for result in batch if self._decodes(result, applied)]
        if not batch:
            return applied
        try:
            with transaction(self.sessions) as session:
                written = self._write(session, batch)
            applied.tally.update(written)
            return applied
        except SQLAlchemyError:
            log.warning("a batch of %s failed to write; writing one by one", kind)
        refusals: list[SQLAlchemyError] = []
        for result in batch:
            try:
                with transaction(self.sessions) as session:
                    written = self._write(session, [result])
                applied.tally.update(written)
            except SQLAlchemyError as exc:
                refusals.append(exc)
                applied.fail(result, f"cannot store: {exc}")
        if len(refusals) == len(batch):
            raise DatabaseFailing(kind, applied, refusals[-1]) from refusals[-1]
        return applied

    @staticmethod
    def _decodes(result: DetailResult, applied: AppliedBatch) -> bool:
        try:
            result.record, result.proposals, result.organizations  # noqa: B018 - decode now
        except MarketplaceError as exc:
            applied.fail(result, str(exc))
            return False
        return True

    def _write(self, session: Session, batch: list[DetailResult]) -> Tally:
        """Plan every result of the batch against what is stored, then write it all."""
        now = self.context.now
        stored = batch_upsert.read_stored(session, [result.job.id for result in batch])
        writes = batch_upsert.BatchWrites(run_id=self.context.run_id, now=now)
        tally: Tally = Counter()
        for result in batch:
            self._plan_result(session, result, stored, writes, tally)
        unchanged = [result.job.id for result in batch if result.record is None]
        store.mark_details_checked(session, unchanged, now)
        writes.write(session)
        if self.context.pass_of is not None:
            store.mark_fully_read(
                session, [r.job.id for r in batch if r.job.full], self.context.run_id
            )
        store.clear_backlog(session, [r.job.id for r in batch if r.job.id in self.context.backlog])
        return tally

    def _plan_result(
        self,
        session: Session,
        result: DetailResult,
        stored: batch_upsert.StoredBatch,
        writes: batch_upsert.BatchWrites,
        tally: Tally,
    ) -> None:
        kind = result.job.kind.value
        now = self.context.now
        record = result.record
        if record is None:
            tally["opportunities", kind, Outcome.UNCHANGED.value] += 1
            return
        if isinstance(record, Malformed):
            quarantine_all(session, now, [record], tally, "opportunities", kind)
            return
        resolve(session, self.context, f"opportunity:{kind}", [record.id])
        proposals = None
        if result.proposals is not None:
            proposals = result.proposals.items
            resolve(session, self.context, f"proposal:{kind}", [item.id for item in proposals])
            quarantine_all(session, now, result.proposals.malformed, tally, "proposals", kind)
        for organization in result.organizations:
            if isinstance(organization, Malformed):
                quarantine_all(session, now, [organization], tally, "organizations", "organization")
            else:
                store.apply_organization_detail(session, organization, now)
        outcome, proposal_outcomes = batch_upsert.plan_opportunity(
            writes, stored, record, kind=kind, etag=result.etag, proposals=proposals
        )
        tally["opportunities", kind, outcome.value] += 1
        for proposal_outcome, amount in proposal_outcomes.items():
            tally["proposals", kind, proposal_outcome] += amount
