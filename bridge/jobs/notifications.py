"""The scheduled jobs that send the outbox, the approval reminders and the early warnings."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.reminders import send_reminders
from bridge.clock import utcnow
from bridge.db.engine import transaction
from bridge.notifications.delivery import DeliveryReport, Notifier, deliver_due
from bridge.outcomes.alerts import send_warnings
from bridge.settings import Settings

log = logging.getLogger(__name__)


class NotificationJobs:
    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, notifier: Notifier
    ) -> None:
        self.sessions, self.settings, self.notifier = sessions, settings, notifier

    def deliver(self) -> DeliveryReport | None:
        try:
            report = deliver_due(
                self.sessions,
                self.notifier,
                max_attempts=self.settings.notification_max_attempts,
                panel_url=str(self.settings.panel_url) if self.settings.panel_url else None,
            )
        except SQLAlchemyError:
            log.exception("sending notifications failed; they stay in the outbox")
            return None
        if report.sent or report.failed or report.retrying:
            log.info(
                "notifications: %d sent, %d to retry, %d failed",
                report.sent,
                report.retrying,
                report.failed,
            )
        return report

    def remind(self) -> int:
        """Queue the approval reminders and the early warnings due; each in its own
        transaction, so a failure of one leaves the other done."""
        reminded = warned = 0
        try:
            reminded = send_reminders(
                self.sessions, self.settings.approvals_reminder_working_days, self.settings.zone
            )
        except SQLAlchemyError:
            log.exception("queuing approval reminders failed")
        try:
            with transaction(self.sessions) as session:
                warned = send_warnings(session, self.settings)
        except SQLAlchemyError:
            log.exception("queuing early warnings failed")
        if reminded or warned:
            log.info("%d approval reminders and %d early warnings queued", reminded, warned)
        return reminded + warned

    def schedule(self, scheduler: BaseScheduler) -> None:
        """Send every minute; look for overdue steps and early warnings every hour."""
        common = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        scheduler.add_job(
            self.deliver,
            IntervalTrigger(minutes=1),
            id="notifications",
            next_run_time=utcnow(),
            **common,
        )
        scheduler.add_job(
            self.remind,
            IntervalTrigger(hours=1),
            id="approval-reminders",
            next_run_time=utcnow(),
            **common,
        )
