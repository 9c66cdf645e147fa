"""A run of the bridge, in its order: what the CLI, the scheduler and the panel's server call.

Under the run lock: the sync reads the marketplace; the rules judge what changed and the
approval flow and the guard act on it, batch by batch while the sync reads on (``alongside``),
then once more over what is left; what they decided is written back to the marketplace (notes,
publication, cancellation) and read again. It owns the wiring (settings → client →
engine), and decides when a full pass must begin: when the last finished one began more than
``full_refresh_hours`` ago, because some marketplace changes (an addendum on a closed
opportunity, a late disqualification) move nothing the incremental checks can see. A pass may
take several runs (``store``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from adapters.registry import rule_pipeline
from bridge.approvals import guard
from bridge.approvals.flow import drain as drain_approvals
from bridge.approvals.notes import send_change_requests
from bridge.approvals.publish import Publisher
from bridge.clock import utcnow
from bridge.contracts.marketplace_notes import send_progress_notes
from bridge.db.engine import refresh_statistics, session_factory, transaction
from bridge.jobs.alongside import Alongside
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.rules.pipeline import EvaluationReport, RulePipeline, drain_pending, reevaluate_all
from bridge.settings import Settings
from bridge.sync import store
from bridge.sync.engine import Progress, SyncEngine, SyncReport
from bridge.sync.lock import exclusive_run
from bridge.sync.models import QuarantinedRecord
from bridge.sync.writing_process import writer_factory

log = logging.getLogger(__name__)


class SyncService:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        client_factory: Callable[[Settings], MarketplaceClient] = MarketplaceClient.from_settings,
        stop: threading.Event | None = None,
        pipeline: RulePipeline | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = session_factory(engine)
        self.client_factory = client_factory
        self.stop = stop or threading.Event()
        self.pipeline = pipeline or rule_pipeline()

    def full_refresh_due(self) -> bool:
        """A new full pass is due when the last one that finished began ``full_refresh_hours``
        ago (or none ever did). A pass still under way is not begun again: every run goes on
        with it until it is done."""
        with self.sessions() as session:
            if store.open_full_pass(session) is not None:
                return False
            last = store.last_full_pass_started_at(session)
        return last is None or utcnow() - last >= timedelta(hours=self.settings.full_refresh_hours)

    def run_once(
        self,
        *,
        trigger: str = "manual",
        full: bool | None = None,
        progress: Progress | None = None,
    ) -> SyncReport | None:
        """One run under the lock; ``None`` when another run holds it (this turn is skipped)."""
        with exclusive_run(self.engine) as acquired:
            if not acquired:
                log.info("another sync is running; skipping this one")
                return None
            with self.client_factory(self.settings) as client:
                engine = SyncEngine(
                    client,
                    self.sessions,
                    stop=self.stop,
                    progress=progress,
                    recheck_open_after=timedelta(minutes=self.settings.recheck_open_minutes),
                    writers=writer_factory(
                        self.engine, separate_process=self.settings.sync_writer_process
                    ),
                )
                # The rules and the approvals take each batch as soon as it is written.
                with Alongside(self._follow_changes, name="judging alongside the sync"):
                    report = engine.run(
                        full=self.full_refresh_due() if full is None else full, trigger=trigger
                    )
                self.evaluate_rules()
                if report.ok:
                    errors, written = self.write_back(client)
                    self._record_write_errors(report, errors)
                    if written:
                        engine.reread(written)
                        self.evaluate_rules()
                    refresh_statistics(self.engine)
        log.info(
            "sync run %s %s (%s)", report.run_id, report.outcome.value, "; ".join(report.errors[:3])
        )
        return report

    def evaluate_rules(self) -> None:
        """Judge what the sync changed; a failure here is logged and retried after the next run
        (the events stay pending), it never fails the sync that stored the data."""
        try:
            report, requests = self._judge_changes()
        except SQLAlchemyError:
            log.exception("evaluating the GC rules failed; the changes stay pending")
            return
        if requests:
            log.info("approvals: %d changes looked at", requests)
        if report.events:
            log.info(
                "rules: %d changes, %d opportunities evaluated, %d with new findings",
                report.events,
                report.evaluated,
                report.changed,
            )

    def _judge_changes(self) -> tuple[EvaluationReport, int]:
        """The rules, then the approval flow, then the guard, over the changes not yet taken
        (each consumer never overtakes the one before it)."""
        report = drain_pending(self.sessions, self.pipeline)
        requests = drain_approvals(self.sessions)
        guard.drain(self.sessions, cancel=self.settings.approvals_cancel_unapproved)
        return report, requests

    def _follow_changes(self) -> int:
        report, requests = self._judge_changes()
        return report.events + requests

    def write_back(
        self, client: MarketplaceClient
    ) -> tuple[list[str], list[tuple[OpportunityKind, str]]]:
        """What the panel and the guard decided since the last run, written on the marketplace:
        requests for changes as notes, approved opportunities published, unapproved ones
        canceled. Each write re-reads before it repeats; a transient failure waits for the next
        run, a refusal for an administrator. The failures, for the run's errors, and the
        opportunities published, to be read back."""
        try:
            refused_notes: list[str] = []
            written = send_change_requests(self.sessions, client, refused_notes)
            written += send_progress_notes(self.sessions, client, refused_notes)
            published = Publisher(self.sessions, client, self.settings).run()
            canceled = guard.cancel_unapproved(self.sessions, client)
        except SQLAlchemyError:
            log.exception("writing to the marketplace failed; what is left waits for the next run")
            return ["writing to the marketplace failed: the database could not be used"], []
        if written or published.published or published.failed or canceled:
            log.info(
                "approvals: %d notes written, %d published, %d failed to publish, %d canceled",
                written,
                published.published,
                published.failed,
                canceled,
            )
        errors = [*refused_notes, *(f"publishing {error}" for error in published.errors)]
        return errors, published.written

    def _record_write_errors(self, report: SyncReport, errors: list[str]) -> None:
        """A write that failed is an error of the run that tried it."""
        if not errors:
            return
        report.errors.extend(errors)
        with transaction(self.sessions) as session:
            store.add_run_errors(session, report.run_id, errors)

    def reevaluate_all(self, trigger: str) -> bool:
        """Judge every opportunity again (a rule setting or a department changed), under the
        run lock so that no sync judges the same ones at the same time; False while one runs."""
        with exclusive_run(self.engine) as acquired:
            if not acquired:
                return False
            report = reevaluate_all(self.sessions, trigger, self.pipeline)
        log.info("rules: %d opportunities re-evaluated (%s)", report.evaluated, trigger)
        return True

    def retry_quarantined(self, record_id: int) -> SyncReport | None:
        """Re-read what one quarantined record belongs to; ``None`` if a sync holds the lock."""
        with self.sessions() as session:
            record = session.get(QuarantinedRecord, record_id)
            if record is None:
                raise LookupError(record_id)
            kind, marketplace_id, payload = record.record_kind, record.record_id, record.payload
        with exclusive_run(self.engine) as acquired:
            if not acquired:
                return None
            with self.client_factory(self.settings) as client:
                engine = SyncEngine(client, self.sessions, stop=self.stop)
                report = engine.retry(kind, marketplace_id, payload)
            self.evaluate_rules()
            return report
