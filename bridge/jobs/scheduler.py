"""Scheduled syncs with APScheduler: coalesced, one at a time, stopped cleanly by SIGTERM.

The notification outbox, the approval reminders, the award export and the contract job run
beside them."""

from __future__ import annotations

import logging
import signal
from datetime import UTC
from types import FrameType

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from adapters.registry import notifier_from_settings, sinks_from_settings
from bridge.clock import utcnow
from bridge.jobs.contracts import ContractJobs
from bridge.jobs.exports import ExportJobs
from bridge.jobs.notifications import NotificationJobs
from bridge.jobs.runs import SyncService

log = logging.getLogger(__name__)
JOB_ID = "marketplace-sync"


def add_sync_job(scheduler: BaseScheduler, service: SyncService, minutes: int) -> None:
    """Every ``minutes``, starting now; missed turns collapse into one and never overlap."""
    scheduler.add_job(
        service.run_once,
        IntervalTrigger(minutes=minutes),
        id=JOB_ID,
        kwargs={"trigger": "schedule"},
        coalesce=True,
        max_instances=1,
        misfire_grace_time=minutes * 60,
        next_run_time=utcnow(),
        replace_existing=True,
    )


def run_forever(service: SyncService) -> None:
    """Block running scheduled syncs until SIGTERM or SIGINT, then finish cleanly.

    A signal sets the service's stop flag, so a run in progress stops at the next record,
    writes what it has and records itself as interrupted; the next start finishes the work.
    """
    scheduler = BlockingScheduler(timezone=UTC)
    add_sync_job(scheduler, service, service.settings.sync_interval_minutes)
    notifier = notifier_from_settings(service.settings)
    NotificationJobs(service.sessions, service.settings, notifier).schedule(scheduler)
    sinks = sinks_from_settings(service.settings, notifier)
    ExportJobs(service.sessions, service.settings, sinks).schedule(scheduler)
    ContractJobs(service.sessions, service.settings).schedule(scheduler)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping after the current step", signal.Signals(signum).name)
        service.stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("syncing every %d minutes", service.settings.sync_interval_minutes)
    scheduler.start()
