"""The export as a job: build what the syncs changed (and, once a fiscal quarter is over, its
open-data outcome figures), deliver to every sink, then replace the OCDS packages where a sink
keeps them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.exports.delivery import DeliveryReport, PackageKeeper, Sink, SinkFailed, deliver_due
from bridge.exports.outbox import InvalidExport, drain, retry_unexportable
from bridge.exports.publication import RecordsState, build_packages, records_state
from bridge.outcomes.open_data import queue_quarter
from bridge.settings import Settings

log = logging.getLogger(__name__)


class ExportJobs:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        sinks: list[Sink],
        keepers: Sequence[PackageKeeper] = (),
    ) -> None:
        """``keepers``: where the OCDS packages go besides the sinks that keep them (the
        folder of ``gc-bridge export --out`` when no directory sink is configured)."""
        self.sessions, self.settings, self.sinks = sessions, settings, sinks
        self.keepers: list[PackageKeeper] = [
            sink for sink in sinks if isinstance(sink, PackageKeeper)
        ]
        self.keepers += keepers
        self.kept: RecordsState | None = None  # the records the kept packages were built from

    def run(self) -> DeliveryReport | None:
        try:
            drain(self.sessions, self.settings)
            with transaction(self.sessions) as session:
                retry_unexportable(session, self.settings)
            with transaction(self.sessions) as session:
                queue_quarter(session, self.settings, utcnow())
            report = deliver_due(
                self.sessions, self.sinks, max_attempts=self.settings.export_max_attempts
            )
            self.keep_packages(report)
        except SQLAlchemyError:
            log.exception("the award export failed; what is pending stays in the outbox")
            return None
        if report.delivered or report.retrying or report.dead:
            log.info(
                "exports: %d delivered, %d to retry, %d dead",
                report.delivered,
                report.retrying,
                report.dead,
            )
        return report

    def keep_packages(self, report: DeliveryReport) -> None:
        """The OCDS packages of every record to the sinks that keep them, when the records
        changed since the last time (building them compiles every record); a failure is in the
        report and the next run writes them again."""
        if not self.keepers:
            return
        try:
            with self.sessions() as session:
                state = records_state(session)
                if state == self.kept:
                    return  # nothing changed since they were written
                built = build_packages(session, self.settings)
        except InvalidExport as invalid:
            report.errors.append(f"OCDS packages not written: {invalid}")
            return
        if built is None:
            return
        files = built.files()
        failed = False
        for sink in self.keepers:
            try:
                sink.keep_packages(files)
            except SinkFailed as problem:
                report.errors.append(str(problem))
                failed = True
        self.kept = None if failed else state

    def schedule(self, scheduler: BaseScheduler) -> None:
        scheduler.add_job(
            self.run,
            IntervalTrigger(minutes=self.settings.export_interval_minutes),
            id="exports",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            next_run_time=utcnow(),
        )
