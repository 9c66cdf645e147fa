"""The scheduled contract job: contract amendments for award amendments recorded since, and the
reminders of payments coming due and of work waiting for its acceptance."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor
from bridge.clock import utcnow
from bridge.contracts.due import send_reminders
from bridge.contracts.issuing import issue_amendments
from bridge.db.engine import transaction
from bridge.settings import Settings

log = logging.getLogger(__name__)


class ContractJobs:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions, self.settings = sessions, settings

    def run(self) -> tuple[int, int]:
        """(contract amendments issued, reminders queued); each in its own transaction, so a
        failure of one leaves the other done."""
        amended = reminded = 0
        try:
            with transaction(self.sessions) as session:
                amended = issue_amendments(session, Actor.job("contracts"), self.settings.zone)
            with transaction(self.sessions) as session:
                reminded = send_reminders(session, self.settings)
        except SQLAlchemyError:
            log.exception("the contract job failed; it runs again within the hour")
        if amended or reminded:
            log.info("contracts: %d amendments issued, %d reminders queued", amended, reminded)
        return amended, reminded

    def schedule(self, scheduler: BaseScheduler) -> None:
        scheduler.add_job(
            self.run,
            IntervalTrigger(hours=1),
            id="contracts",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            next_run_time=utcnow(),
        )
