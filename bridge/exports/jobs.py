"""The export as a job: build what the syncs changed, then deliver to every sink."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.exports.delivery import DeliveryReport, Sink, deliver_due
from bridge.exports.outbox import drain, retry_unexportable
from bridge.settings import Settings

log = logging.getLogger(__name__)


class ExportJobs:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 sinks: list[Sink]) -> None:  # fmt: skip
        self.sessions, self.settings, self.sinks = sessions, settings, sinks

    def run(self) -> DeliveryReport | None:
        try:
            drain(self.sessions, self.settings)
            with transaction(self.sessions) as session:
                retry_unexportable(session, self.settings)
            report = deliver_due(self.sessions, self.sinks,
                                 max_attempts=self.settings.export_max_attempts)  # fmt: skip
        except SQLAlchemyError:
            log.exception("the award export failed; what is pending stays in the outbox")
            return None
        if report.delivered or report.retrying or report.dead:
            log.info("exports: %d delivered, %d to retry, %d dead",
                     report.delivered, report.retrying, report.dead)  # fmt: skip
        return report

    def schedule(self, scheduler: BaseScheduler) -> None:
        scheduler.add_job(self.run, IntervalTrigger(minutes=self.settings.export_interval_minutes),
                          id="exports", coalesce=True, max_instances=1, replace_existing=True,
                          next_run_time=utcnow())  # fmt: skip
