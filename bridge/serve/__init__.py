"""The whole bridge in one command: the panel behind waitress and the scheduled syncs.

The scheduler runs in the first process, which also serves the panel beside the other panel
processes it forks (``processes.py``). SIGTERM (or Ctrl-C) stops accepting requests, lets a
running sync stop at its next record and write what it has, then exits.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from adapters.registry import notifier_from_settings, sinks_from_settings
from bridge.jobs.contracts import ContractJobs
from bridge.jobs.exports import ExportJobs
from bridge.jobs.notifications import NotificationJobs
from bridge.jobs.runs import SyncService
from bridge.jobs.scheduler import add_sync_job
from bridge.panel import create_app
from bridge.serve.processes import PanelProcesses, listening_socket
from bridge.settings import Settings

log = logging.getLogger(__name__)


def run_server(
    settings: Settings, engine: Engine, *, host: str | None, port: int | None, sync: bool
) -> None:
    service = SyncService(settings, engine)
    notifier = notifier_from_settings(settings)
    notifications = NotificationJobs(service.sessions, settings, notifier)
    exports = ExportJobs(service.sessions, settings, sinks_from_settings(settings, notifier))
    scheduler = BackgroundScheduler(timezone=UTC)

    def launch(trigger: str) -> None:
        scheduler.add_job(
            service.run_once,
            kwargs={"trigger": trigger},
            id="sync-now",
            replace_existing=True,
            max_instances=1,
        )

    def export_now(trigger: str) -> None:
        scheduler.add_job(exports.run, id="exports-now", replace_existing=True, max_instances=1)
        log.info("export started from the %s", trigger)

    def reevaluate(trigger: str) -> None:
        """Until the lock is free: a sync may be running when an administrator saves. A
        department's new domain can route awards held back: the export follows at once."""
        while not service.stop.is_set() and not service.reevaluate_all(trigger):
            service.stop.wait(5)
        if sync and not service.stop.is_set():
            export_now("re-evaluation")

    def launch_reevaluation(trigger: str) -> None:
        scheduler.add_job(
            reevaluate,
            kwargs={"trigger": trigger},
            id="rules-all",
            replace_existing=True,
            max_instances=1,
        )

    app = create_app(settings, engine, launch_sync=launch if sync else None)
    app.config["BRIDGE_LAUNCH_REEVALUATION"] = launch_reevaluation
    if sync:
        app.config["BRIDGE_RETRY_QUARANTINED"] = service.retry_quarantined
        app.config["BRIDGE_LAUNCH_EXPORT"] = export_now
        add_sync_job(scheduler, service, settings.sync_interval_minutes)
        notifications.schedule(scheduler)
        exports.schedule(scheduler)
        ContractJobs(service.sessions, settings).schedule(scheduler)
    panel = PanelProcesses(
        app,
        engine,
        listening_socket(host or settings.host, port or settings.port),
        processes=settings.panel_processes,
        threads=settings.panel_threads,
    )
    panel.fork()  # before the scheduler's threads start
    scheduler.start()
    try:
        panel.serve(on_stop=service.stop.set)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
