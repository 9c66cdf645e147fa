"""One sync run: pull the marketplace into the bridge's database, incrementally and safely.

The marketplace has no change feed, no paging and an ``updatedAt`` that misses addenda, so a run:

1. checks that the session is an ADMIN's (otherwise the lists would silently be partial);
2. mirrors users and organizations;
3. for each kind, reads the full list (conditionally), marks ids that vanished, and reads in
   parallel the details of new, changed and still-open opportunities, plus the proposals of
   those in evaluation or later; the opportunities the last run could not read come first;
4. writes in small transactions, each holding whole opportunities with their proposals, award
   and change events, so that a run cut off anywhere leaves a consistent database and the next
   run simply finishes the work (nothing is marked done before it is written). A large run
   writes from a second process (``bridge.sync.writing_process``) while this one goes on reading.

A run that read every list succeeds, even if a few opportunities could not be read after every
retry: they are named in its errors and wait in the backlog, counted as "behind", for the next
run. A run fails when a list cannot be read, when the marketplace stops answering altogether
(``OUTAGE_READS`` reads in a row given up), or when the database does.
"""

from __future__ import annotations

import functools
import logging
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.decode import Answer, Listing, Malformed, NotModified
from bridge.marketplace.errors import (
    MarketplaceError,
    MarketplaceUnavailable,
    NotFound,
    PermissionDenied,
    SessionInvalid,
)
from bridge.marketplace.models import SLIM_MODELS, OpportunitySlimModel
from bridge.marketplace.vocabulary import (
    PRE_EVALUATION_STATUSES,
    TERMINAL_STATUSES,
    OpportunityKind,
)
from bridge.sync import store
from bridge.sync.applier import (
    AppliedBatch,
    BatchApplier,
    DatabaseFailing,
    RunContext,
    Tally,
    quarantine_all,
    resolve,
)
from bridge.sync.awards import award_proponent
from bridge.sync.details import DetailJob, DetailResult, proposals_pending
from bridge.sync.fingerprints import canonical, record_fingerprint
from bridge.sync.models import RunOutcome
from bridge.sync.store import Outcome, StoredOpportunity
from bridge.sync.writing_process import BatchWriter, InlineWriter, WriterFactory, WriterFailed

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# This many detail reads in a row given up after every retry means the marketplace is down, not
# that a few answers were lost: the run stops rather than wait out every read.
OUTAGE_READS = 10
Progress = Callable[[str, int, int], None]


@dataclass
class SyncReport:
    """What a run did: the summary the CLI prints and the panel shows."""

    run_id: int
    outcome: RunOutcome
    counts: dict[str, Any]
    errors: list[str]
    http: dict[str, int]
    started_at: datetime
    finished_at: datetime

    # Opportunities still waiting to be read when the run ended.
    behind: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is RunOutcome.SUCCEEDED


@dataclass
class _RunState:
    context: RunContext
    writer: BatchWriter = field(init=False)  # it reports into this state, so it comes second
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Opportunity id → (kind, reason): listed but not read or not stored, for the backlog.
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.context.now

    def tally(self, section: str, kind: str, outcome: str, amount: int = 1) -> None:
        bucket = self.counts.setdefault(section, {}).setdefault(
            kind, {"new": 0, "changed": 0, "unchanged": 0, "failed": 0}
        )
        bucket[outcome] += amount

    def add(self, tally: Tally) -> None:
        for (section, kind, outcome), amount in tally.items():
            self.tally(section, kind, outcome, amount)

    def absorb(self, applied: AppliedBatch) -> None:
        self.add(applied.tally)
        self.errors.extend(applied.errors)
        self.failed.update(applied.failed)


class MarketplaceStoppedAnswering(MarketplaceUnavailable):
    """Reads in a row gave up after every retry: the run stops, and the next one goes on."""


class OutageBreaker:
    """Counts the reads in a row that gave up after every retry, across the pool's threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._in_a_row = 0

    @property
    def tripped(self) -> bool:
        with self._lock:
            return self._in_a_row >= self.limit

    def gave_up(self) -> None:
        with self._lock:
            self._in_a_row += 1

    def answered(self) -> None:
        with self._lock:
            self._in_a_row = 0


def needs_full_read(stored: StoredOpportunity | None, pass_of: int | None) -> bool:
    """Whether the full pass under way (begun by run ``pass_of``) has yet to read this one."""
    if pass_of is None:
        return False
    return stored is None or stored.fully_read_in_run is None or stored.fully_read_in_run < pass_of


def recheck_due(stored: StoredOpportunity, now: datetime, interval: timedelta) -> bool:
    """Whether a still-open opportunity's detail is due to be read again.

    Each opportunity waits between half and all of ``interval`` (spread by its id), so the
    re-reads after a full sync are spread over many runs instead of landing on one.
    """
    if stored.detail_checked_at is None:
        return True
    spread = 0.5 + (zlib.crc32(stored.id.encode()) % 1000) / 2000
    return now - stored.detail_checked_at >= interval * spread


def needs_detail(
    item: OpportunitySlimModel,
    stored: StoredOpportunity | None,
    full: bool,
    now: datetime,
    recheck_open_after: timedelta,
) -> bool:
    """Whether a listed opportunity must be read this run (``full``: in full, for the pass)."""
    if full or stored is None or stored.removed_at is not None:
        return True
    if item.updated_at != stored.marketplace_updated_at or item.status.value != stored.status:
        return True
    if proposals_pending(stored):
        return True
    # Addenda and notes do not move updatedAt: anything still open is read again periodically.
    still_open = item.status.value not in TERMINAL_STATUSES and item.status.value != "DRAFT"
    return still_open and recheck_due(stored, now, recheck_open_after)


class SyncEngine:
    """Runs syncs of one marketplace into one database."""

    def __init__(
        self,
        client: MarketplaceClient,
        sessions: sessionmaker[Session],
        *,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        clock: Callable[[], datetime] = utcnow,
        recheck_open_after: timedelta = timedelta(minutes=60),
        writers: WriterFactory = InlineWriter,
    ) -> None:
        self.client = client
        self.recheck_open_after = recheck_open_after
        self.sessions = sessions
        self.stop = stop or threading.Event()
        self.progress = progress
        self.clock = clock
        self.writers = writers

    def run(self, *, full: bool = False, trigger: str = "manual") -> SyncReport:
        """One run; never raises for marketplace trouble, which the report records instead.

        ``full`` begins a new full pass; without it, a pass still under way goes on."""
        return self._execute(trigger, full, self._run, self.writers)

    def retry(self, record_kind: str, record_id: str | None, payload: Any) -> SyncReport:
        """A small run that re-reads only what a quarantined record belongs to."""
        return self._execute(
            "retry",
            None,
            lambda state: self._retry(state, record_kind, record_id, payload),
            InlineWriter,
        )

    def reread(self, opportunities: Sequence[tuple[OpportunityKind, str]]) -> SyncReport:
        """A small run that reads back what the bridge has just written on the marketplace
        (a publication), so that every page shows the marketplace's new status now rather than
        after the next sync, and the rules and the guard judge it in the same turn."""
        return self._execute(
            "write-back", None, lambda state: self._reread(state, opportunities), InlineWriter
        )

    def _reread(
        self, state: _RunState, opportunities: Sequence[tuple[OpportunityKind, str]]
    ) -> RunOutcome:
        for kind in OpportunityKind:
            jobs = [
                DetailJob(kind, key, None, True) for known, key in opportunities if known is kind
            ]
            if jobs:
                self._read_and_apply(state, kind, jobs)
        return RunOutcome.FAILED if state.errors else RunOutcome.SUCCEEDED

    def _execute(
        self,
        trigger: str,
        full: bool | None,
        plan: Callable[[_RunState], RunOutcome],
        writers: WriterFactory,
    ) -> SyncReport:
        """``full`` None: a run outside any full pass (the retry of one record)."""
        started = self.clock()
        with transaction(self.sessions) as session:
            store.interrupt_stale_runs(session, started)
            run = store.start_run(
                session, trigger, bool(full), started, joins_pass=full is not None
            )
            run_id, pass_of = run.id, run.full_pass_of
            quarantined = frozenset(store.unresolved_quarantine_keys(session))
            backlog = frozenset(store.backlog_ids(session))
        context = RunContext(
            run_id=run_id, now=started, quarantined=quarantined, pass_of=pass_of, backlog=backlog
        )
        state = _RunState(context=context)
        writer = writers(BatchApplier(self.sessions, context), state.absorb)
        state.writer = writer
        http_before = self.client.stats.snapshot()
        outcome = RunOutcome.FAILED
        try:
            self.client.require_admin_session()
            outcome = plan(state)
        except SessionInvalid as exc:
            state.errors.insert(0, str(exc))
        except (MarketplaceError, SQLAlchemyError, DatabaseFailing, WriterFailed) as exc:
            log.exception("sync run %s failed", run_id)
            state.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            # Whatever stopped the reading, what was read and handed over is written: it is a
            # batch or two of whole opportunities, and the next run has them already.
            if not self._finish_writing(state, writer):
                outcome = RunOutcome.FAILED
            writer.close()
            finished = self.clock()
            http = _delta(http_before, self.client.stats.snapshot())
            with transaction(self.sessions) as session:
                store.add_to_backlog(session, state.failed, run_id, started)
                behind = store.backlog_count(session)
                store.finish_run(
                    session, run_id, outcome, state.counts, state.errors, http, finished, behind
                )
        return SyncReport(
            run_id=run_id,
            outcome=outcome,
            counts=state.counts,
            errors=state.errors,
            http=http,
            started_at=started,
            finished_at=finished,
            behind=behind,
        )

    def _finish_writing(self, state: _RunState, writer: BatchWriter) -> bool:
        try:
            writer.finish()
        except WriterFailed as exc:
            log.error("sync run %s: %s", state.context.run_id, exc)
            state.errors.append(f"{type(exc).__name__}: {exc}")
            return False
        return True

    # The run, step by step -----------------------------------------------------------------

    def _run(self, state: _RunState) -> RunOutcome:
        """Users, organizations, then each kind. A list that cannot be read fails the run (the
        other kinds are still read); opportunities that cannot be read do not."""
        self._sync_users(state)
        self._sync_organizations(state)
        lists_read = True
        for kind in OpportunityKind:
            if self.stop.is_set():
                return RunOutcome.INTERRUPTED
            try:
                self._sync_kind(state, kind)
            except (SessionInvalid, MarketplaceStoppedAnswering):
                raise
            except MarketplaceError as exc:
                state.errors.append(f"{kind.value}: {exc}")
                lists_read = False
        if self.stop.is_set():
            return RunOutcome.INTERRUPTED
        return RunOutcome.SUCCEEDED if lists_read else RunOutcome.FAILED

    def _retry(
        self, state: _RunState, record_kind: str, record_id: str | None, payload: Any
    ) -> RunOutcome:
        section, _, kind_name = record_kind.partition(":")
        if section == "user":
            self._sync_users(state)
        elif section == "organization":
            self._sync_organizations(state)
        elif section == "opportunity-list":
            self._sync_kind(state, OpportunityKind(kind_name))
        else:
            kind = OpportunityKind(kind_name)
            opportunity_id = record_id
            if section == "proposal":
                embedded = payload.get("opportunity") if isinstance(payload, dict) else None
                opportunity_id = embedded.get("id") if isinstance(embedded, dict) else None
            if not opportunity_id:
                state.errors.append(f"{record_kind}: no opportunity to re-read")
                return RunOutcome.FAILED
            self._read_and_apply(state, kind, [DetailJob(kind, opportunity_id, None, True)])
        return RunOutcome.FAILED if state.errors else RunOutcome.SUCCEEDED

    def _sync_users(self, state: _RunState) -> None:
        listing = self.client.list_users()
        with transaction(self.sessions) as session:
            self._quarantine_all(session, state, "users", "user", listing.malformed)
            self._resolve(session, state, "user", [user.id for user in listing.items])
            counts = store.apply_users(session, listing.items, state.now)
        for outcome, amount in counts.items():
            state.tally("users", "user", outcome, amount)

    def _sync_organizations(self, state: _RunState) -> None:
        items = []
        malformed = []
        for page in self.client.iter_organization_pages():
            items.extend(page.items)
            malformed.extend(page.malformed)
        with transaction(self.sessions) as session:
            self._quarantine_all(session, state, "organizations", "organization", malformed)
            self._resolve(session, state, "organization", [item.id for item in items])
            counts = store.apply_organizations(session, items, state.now)
        for outcome, amount in counts.items():
            state.tally("organizations", "organization", outcome, amount)

    def _sync_kind(self, state: _RunState, kind: OpportunityKind) -> None:
        listing = self._list(state, kind)
        with self.sessions() as session:
            stored = store.stored_opportunities(session, kind.value)
            waiting = store.backlog_ids(session, kind.value)
        listed = {item.id for item in listing.items} | {
            bad.record_id for bad in listing.malformed if bad.record_id
        }
        gone = [
            opportunity_id
            for opportunity_id, known in stored.items()
            if opportunity_id not in listed and known.removed_at is None
        ]
        with transaction(self.sessions) as session:
            self._quarantine_all(session, state, "opportunities", kind.value, listing.malformed)
            listed_ids = [item.id for item in listing.items]
            self._resolve(session, state, f"opportunity-list:{kind.value}", listed_ids)
            store.mark_opportunities_removed(session, gone, state.context.run_id, state.now)
            store.clear_backlog(session, waiting - listed)

        jobs = []
        for item in listing.items:
            known = stored.get(item.id)
            full = needs_full_read(known, state.context.pass_of)
            if item.id in waiting or needs_detail(
                item, known, full, state.now, self.recheck_open_after
            ):
                jobs.append(DetailJob(kind=kind, id=item.id, stored=known, full=full))
        # What the last run could not read is read first, while the network is kind.
        jobs.sort(key=lambda job: job.id not in waiting)
        state.tally("opportunities", kind.value, "unchanged", len(listing.items) - len(jobs))
        self._read_and_apply(state, kind, jobs)

    def _list(self, state: _RunState, kind: OpportunityKind) -> Listing[OpportunitySlimModel]:
        """The full list of a kind; a 304 answers from the list stored with its ETag."""
        stream = f"opportunity-list:{kind.value}"
        with self.sessions() as session:
            bookmark = store.load_bookmark(session, stream)
            etag = bookmark.etag if bookmark else None
            cached = list(bookmark.items) if bookmark else []
        answer = self.client.list_opportunities(kind, etag=etag)
        if isinstance(answer, NotModified):
            model = SLIM_MODELS[kind]
            return Listing(
                items=[model.model_validate(item) for item in cached], malformed=[], etag=etag
            )
        if answer.etag and not answer.malformed:
            with transaction(self.sessions) as session:
                items = [canonical(item) for item in answer.items]
                store.save_bookmark(session, stream, answer.etag, items, state.now)
        return answer

    def _read_and_apply(
        self, state: _RunState, kind: OpportunityKind, jobs: list[DetailJob]
    ) -> None:
        batch: list[DetailResult] = []
        done = 0
        # Only unconditional reads count: a conditional one mostly comes back 304, which costs
        # next to nothing to write.
        writer = state.writer
        writer.expect(sum(job.etag is None for job in jobs))
        # The pool reads the next batch while this one is written.
        breaker = OutageBreaker(OUTAGE_READS)
        read = functools.partial(self._read_unless_down, breaker)
        results = self.client.map_concurrent(read, jobs, window=BATCH_SIZE)
        try:
            for job, result in results:
                done += 1
                if isinstance(result, MarketplaceStoppedAnswering):
                    pass  # not read at all: the next run reads it
                elif isinstance(result, BaseException):
                    self._record_read_failure(state, job, result)
                else:
                    batch.append(result)
                if len(batch) >= BATCH_SIZE:
                    ready, batch = batch, []
                    writer.submit(kind.value, ready)
                if self.progress:
                    self.progress(kind.value, done, len(jobs))
                if breaker.tripped:
                    raise MarketplaceStoppedAnswering(
                        f"{kind.value}: {OUTAGE_READS} reads in a row failed after every retry; "
                        "the marketplace stopped answering, the next run goes on"
                    )
                if self.stop.is_set():
                    break
        finally:
            results.close()
            # Whatever stopped the reading, what was read is handed over to be written.
            if batch:
                writer.submit(kind.value, batch)

    def _read_unless_down(self, breaker: OutageBreaker, job: DetailJob) -> DetailResult:
        """``_read``, or nothing once reads in a row have given up: the pool may have read far
        ahead of the results taken, and none of that should still go to a marketplace that is
        down."""
        if breaker.tripped:
            raise MarketplaceStoppedAnswering(f"{job.kind.value} {job.id}: not read")
        try:
            result = self._read(job)
        except MarketplaceUnavailable:
            breaker.gave_up()
            raise
        breaker.answered()
        return result

    def _read(self, job: DetailJob) -> DetailResult:
        """Runs on the client's pool: every HTTP read one opportunity needs, no database."""
        result = DetailResult(job, self.client.read_opportunity(job.kind, job.id, etag=job.etag))
        outline = result.outline
        if outline is None or isinstance(outline, Malformed):
            return result
        if outline.status.value in PRE_EVALUATION_STATUSES:
            return result
        if not job.full and job.stored and job.stored.proposals_synced_for is not None:
            # Proposals are read again only for a new version of the opportunity.
            record = result.record
            if isinstance(record, BaseModel) and (
                job.stored.proposals_synced_for == record_fingerprint(record)
            ):
                return result
        try:
            result.proposals_answer = self.client.read_proposals(job.kind, job.id)
        except PermissionDenied as denied:
            # Canceled before its deadline: the marketplace shows no proposals, and there are none.
            result.proposals_answer = Answer(denied.path, b"[]", None, not_modified=False)
        winner = award_proponent(outline)
        if winner is not None and winner[0] == "organization":
            result.organization_answers.append(self.client.read_organization(winner[1]))
        return result

    def _record_read_failure(self, state: _RunState, job: DetailJob, error: BaseException) -> None:
        if isinstance(error, NotFound):
            # Deleted between the list and the detail read: the next list marks it removed.
            log.info("%s %s vanished during the run", job.kind.value, job.id)
            return
        if isinstance(error, SessionInvalid):
            raise error
        state.tally("opportunities", job.kind.value, Outcome.FAILED.value)
        state.errors.append(f"{job.kind.value} {job.id}: {error}")
        state.failed[job.id] = (job.kind.value, str(error))
        if not isinstance(error, MarketplaceError):
            log.error("reading %s %s failed", job.kind.value, job.id, exc_info=error)

    def _quarantine_all(
        self,
        session: Session,
        state: _RunState,
        section: str,
        kind: str,
        records: list[Malformed],
    ) -> None:
        tally: Tally = Counter()
        quarantine_all(session, state.now, records, tally, section, kind)
        state.add(tally)

    def _resolve(
        self, session: Session, state: _RunState, record_kind: str, record_ids: list[str]
    ) -> None:
        resolve(session, state.context, record_kind, record_ids)


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)
    }


def iter_counts(counts: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, int]]]:
    """``(section, kind, {outcome: n})`` for every bucket of a run's counts."""
    for section, kinds in counts.items():
        for kind, outcomes in kinds.items():
            yield section, kind, outcomes
