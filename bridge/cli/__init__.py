"""The operators' command line: ``gc-bridge`` (and ``python sync.py``, which is the same).

Settings are loaded once here and passed down; a missing or invalid one stops the command with
a message naming the environment variable, and a failed sync exits non-zero so that cron,
systemd or a CI job notices.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bridge import __version__
from bridge.accounts.roles import Role
from bridge.cli.context import Context, pass_context, prepare_database, settings_checked
from bridge.logs import configure_logging

if TYPE_CHECKING:
    from bridge.sync.engine import SyncReport

# Each command imports what it needs when it runs: ``--help`` and ``status`` answer without
# loading the sync, the rules, the approvals or the panel.

F = TypeVar("F", bound=Callable[..., Any])


# The collector's first generation runs every 700 new objects by default: loading SQLAlchemy,
# pydantic and the models makes hundreds of thousands of objects that all live on, and
# collecting them over and over was a tenth of a short command's time.
START_UP_GC_THRESHOLD = 10_000


def run(arguments: list[str] | None = None, prog_name: str | None = None) -> None:
    """The ``gc-bridge`` console script (and ``sync.py``): ``main``, tuned for a process that
    starts, works and ends. At the end the objects still alive are frozen out of the collector:
    the interpreter's last collection over them took 0.1 s, and the operating system frees them
    anyway (files and transactions are closed by then; this skips nothing but the traversal)."""
    gc.set_threshold(START_UP_GC_THRESHOLD)
    try:
        main(args=arguments, prog_name=prog_name)
    finally:
        gc.freeze()


@click.group()
@click.version_option(__version__, prog_name="gc-bridge")
def main() -> None:
    """GC micro-procurement bridge for a BC Digital Marketplace fork."""
    configure_logging(logging.INFO)


@main.command()
@click.option("--full", is_flag=True, help="Re-read every record, not only what changed.")
@click.option("--schedule", is_flag=True, help="Keep running, syncing every interval.")
@pass_context
def sync(context: Context, full: bool, schedule: bool) -> None:
    """Sync the marketplace into the bridge's database (once, or on a schedule)."""
    from bridge.jobs.runs import SyncService

    settings = context.require_marketplace()
    service = SyncService(settings, context.migrated_engine())
    if schedule:
        from bridge.jobs.scheduler import run_forever

        with settings_checked():
            settings.require_notifier()
            settings.require_export_sinks()
        run_forever(service)
        return
    report = service.run_once(full=True if full else None, progress=_progress_printer())
    if report is None:
        raise click.ClickException("Another sync is running against this database; try later.")
    _print_summary(report)
    if not report.ok:
        sys.exit(1)


@main.command()
@pass_context
def notify(context: Context) -> None:
    """Send the notifications due now, after queuing reminders for overdue approvals and the
    early warnings standing (each sent once)."""
    from adapters.registry import notifier_from_settings
    from bridge.db.engine import session_factory
    from bridge.jobs.notifications import NotificationJobs

    settings = context.settings
    with settings_checked():
        notifier = notifier_from_settings(settings)
    jobs = NotificationJobs(session_factory(context.migrated_engine()), settings, notifier)
    reminders = jobs.remind()
    report = jobs.deliver()
    if report is None:
        raise click.ClickException("The database could not be read; see the log.")
    click.echo(
        f"reminders and warnings queued: {reminders}; sent: {report.sent}, to retry: "
        f"{report.retrying}, failed: {report.failed}"
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.failed:
        sys.exit(1)


@main.command()
@click.option(
    "--period",
    default=None,
    help="Also write a disclosure report: a fiscal quarter (2026-2027-Q3) or a year.",
)
@click.option(
    "--department",
    default=None,
    help="With --period: only this department's report (its acronym); else one per department.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write this run's files (the directory sink's and the reports) here.",
)
@pass_context
def export(context: Context, period: str | None, department: str | None, out: Path | None) -> None:
    """Build the award records the syncs changed and deliver them to every sink."""
    from adapters.registry import notifier_from_settings, sinks_from_settings
    from adapters.sinks.directory import DirectorySink
    from bridge.db.engine import session_factory
    from bridge.departments.service import all_departments
    from bridge.exports.reports import (
        InvalidPeriod,
        InvalidReport,
        disclosure_report,
        disclosure_reports,
    )
    from bridge.jobs.exports import ExportJobs

    settings = context.settings
    if out is not None:
        settings = settings.model_copy(update={"export_directory": out})
    with settings_checked():
        sinks = sinks_from_settings(settings, notifier_from_settings(settings))
    sessions = session_factory(context.migrated_engine())
    # --out holds the packages even when no directory sink is configured.
    keepers = (
        [DirectorySink(out)] if out is not None and "directory" not in settings.export_sinks else []
    )
    report = ExportJobs(sessions, settings, sinks, keepers).run()
    if report is None:
        raise click.ClickException("The database could not be read; see the log.")
    click.echo(f"delivered: {report.delivered}, to retry: {report.retrying}, dead: {report.dead}")
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    packages = settings.export_directory / "ocds"
    if (out is not None or "directory" in settings.export_sinks) and packages.exists():
        click.echo(f"OCDS packages: {packages}")
    if period:
        with sessions() as session:
            if department and department not in {d.acronym for d in all_departments(session)}:
                raise click.BadParameter(f"no department {department}", param_hint="--department")
            try:
                reports = (
                    [disclosure_report(session, period, department)]
                    if department
                    else disclosure_reports(session, period)
                )
            except InvalidPeriod:
                raise click.BadParameter(
                    "a fiscal quarter like 2026-2027-Q3, or a year like 2026", param_hint="--period"
                ) from None
            except InvalidReport as invalid:
                for problem in invalid.errors:
                    click.echo(f"  row {problem.row} {problem.field}: {problem.message}", err=True)
                raise click.ClickException(
                    "The report is not valid; nothing was written."
                ) from None
        folder = out or settings.export_directory / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        for written in reports:
            for suffix, data in (("csv", written.csv()), ("json", written.json())):
                (folder / f"{written.name}.{suffix}").write_bytes(data)
            click.echo(f"report: {folder / written.name}.csv ({len(written.rows)} rows)")
        if not reports:
            click.echo("no award records: no report to write")
    if report.dead:
        sys.exit(1)


@main.command()
@pass_context
def check(context: Context) -> None:
    """Check the settings, the database, the marketplace and the session."""
    from bridge.db.migrate import is_current
    from bridge.marketplace.client import MarketplaceClient
    from bridge.marketplace.errors import MarketplaceError

    settings = context.require_marketplace()
    with settings_checked():
        settings.require_notifier()
    click.echo(
        f"settings: ok (marketplace {settings.marketplace_url}, notifier {settings.notifier})"
    )
    engine = context.engine
    state = "up to date" if is_current(engine) else "needs 'gc-bridge db upgrade'"
    click.echo(f"database: {engine.url.render_as_string(hide_password=True)} ({state})")
    try:
        with MarketplaceClient.from_settings(settings) as client:
            session = client.require_admin_session()
    except MarketplaceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"marketplace: ok, session of {session.user.name} ({session.user.type.value})")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--runs", default=10, show_default=True, help="How many recent runs to show.")
@pass_context
def status(context: Context, as_json: bool, runs: int) -> None:
    """What has been synced, the quarantine and the last runs."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bridge.db.engine import session_factory
    from bridge.sync.status import status_report

    # Read first, migrate only if the reading fails: checking the schema on every call would
    # double the time a monitoring script waits, and a new or older database still answers.
    try:
        with session_factory(context.engine)() as session:
            report = status_report(session, runs)
    except (OperationalError, ProgrammingError):
        with session_factory(context.migrated_engine())() as session:
            report = status_report(session, runs)
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for section in ("opportunities", "proposals"):
        click.echo(f"{section}:")
        for kind, statuses in report[section].items():
            listed = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
            click.echo(f"  {kind}: {listed or 'none'}")
    click.echo(f"awards: {report['awards']}")
    click.echo(f"quarantined: {report['quarantined']}")
    click.echo(f"behind: {report['behind']}")
    if report["full_pass_since"]:
        click.echo(f"full re-read under way since {report['full_pass_since']}")
    for run in report["runs"]:
        click.echo(
            f"run {run['id']}: {run['outcome']} ({run['trigger']}) {run['started_at']}"
            + (f" - {len(run['errors'])} error(s)" if run["errors"] else "")
        )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(context: Context) -> None:
    """Apply pending migrations; add the shipped departments and rule settings not yet known."""
    from bridge.db.migrate import current_revision, head_revision

    engine = context.engine
    prepare_database(engine)
    click.echo(f"database at revision {current_revision(engine)} (head {head_revision(engine)})")


@main.command()
@click.option("--host", default=None, help="Address to listen on (BRIDGE_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (BRIDGE_PORT).")
@click.option("--no-sync", is_flag=True, help="Serve the panel only; another process syncs.")
@pass_context
def serve(context: Context, host: str | None, port: int | None, no_sync: bool) -> None:
    """Serve the panel (waitress) and run scheduled syncs in the same process."""
    from bridge.serve import run_server

    settings = context.settings if no_sync else context.require_marketplace()
    with settings_checked():
        settings.require_notifier()
        settings.require_export_sinks()
    run_server(settings, context.migrated_engine(), host=host, port=port, sync=not no_sync)


@main.group()
def users() -> None:
    """Panel accounts."""


@users.command("create")
@click.option("--email", required=True, help="The person's e-mail address (their sign-in).")
@click.option("--name", required=True, help="Their name as the panel shows it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="A role; repeat for several.",
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    help="Acronym: an approver's departments; procurement staff's, to limit them.",
)
@click.option("--no-password", is_flag=True, help="Sign-in through the department (OIDC) only.")
@pass_context
def users_create(
    context: Context,
    email: str,
    name: str,
    roles: tuple[str, ...],
    departments: tuple[str, ...],
    no_password: bool,
) -> None:
    """Create a panel account (the first administrator, typically).

    The password is asked for on a terminal, or read from standard input otherwise.
    """
    from bridge.accounts.service import AccountError, create_user, grants_for
    from bridge.approvals.service import announce_waiting_steps
    from bridge.audit.service import Actor, record
    from bridge.db.engine import session_factory, transaction
    from bridge.departments.service import all_departments

    password = None
    if not no_password:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    with transaction(session_factory(context.migrated_engine())) as session:
        known = {department.acronym: department.id for department in all_departments(session)}
        unknown = [acronym for acronym in departments if acronym not in known]
        if unknown:
            raise click.ClickException(f"unknown department(s): {', '.join(unknown)}")
        grants = grants_for(map(Role, roles), (known[acronym] for acronym in departments))
        try:
            user = create_user(session, email, name, password, grants)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        record(
            session,
            Actor.job("cli"),
            "user.created",
            "panel_user",
            user.id,
            after={"email": user.email, "roles": sorted(roles)},
        )
        announce_waiting_steps(session, user.department_ids(Role.APPROVER))
    click.echo(f"created {user.email} ({', '.join(sorted(roles))})")


@main.group()
def rules() -> None:
    """The GC rules."""


@rules.command("evaluate")
@click.option("--all", "everything", is_flag=True, help="Every opportunity, not only changes.")
@pass_context
def rules_evaluate(context: Context, everything: bool) -> None:
    """Judge the opportunities the syncs changed (or all of them) and store the findings."""
    from adapters.registry import rule_pipeline
    from bridge.db.engine import session_factory, transaction
    from bridge.rules.pipeline import drain_pending

    sessions = session_factory(context.migrated_engine())
    if everything:
        with transaction(sessions) as session:
            report = rule_pipeline().evaluate_all(session, "cli")
    else:
        report = drain_pending(sessions, rule_pipeline())
    click.echo(f"{report.evaluated} opportunities evaluated, {report.changed} with new findings")


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@pass_context
def audit_verify(context: Context) -> None:
    """Check that no audit entry was changed, removed or inserted out of order."""
    from sqlalchemy import func, select

    from bridge.audit.models import AuditEntry
    from bridge.audit.service import verify as verify_chain
    from bridge.db.engine import session_factory

    with session_factory(context.migrated_engine())() as session:
        broken = verify_chain(session)
        count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if broken is not None:
        raise click.ClickException(
            f"audit chain broken at entry {broken.entry_id}: {broken.reason}"
        )
    click.echo(f"audit chain intact ({count} entries)")


def _progress_printer() -> Callable[[str, int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(kind: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        click.echo(f"\r{kind}: {done}/{total} details read", nl=False, err=True)
        click.echo(end, nl=False, err=True)

    return show


def _print_summary(report: SyncReport) -> None:
    seconds = (report.finished_at - report.started_at).total_seconds()
    click.echo(f"sync run {report.run_id}: {report.outcome.value} in {seconds:.1f} s")
    if report.behind:
        click.echo(f"  behind: {report.behind} opportunities to read first next run")
    for section, kinds in report.counts.items():
        for kind, outcomes in kinds.items():
            listed = ", ".join(f"{name} {count}" for name, count in outcomes.items())
            click.echo(f"  {section} {kind}: {listed}")
    if report.http:
        click.echo("  http: " + ", ".join(f"{k} {v}" for k, v in sorted(report.http.items())))
    for error in report.errors:
        click.echo(f"  error: {error}", err=True)


def _add_groups() -> None:
    """The command groups that live in modules of their own."""
    from bridge.cli.contracts import contracts
    from bridge.cli.outcomes import outcomes_command

    main.add_command(contracts)
    main.add_command(outcomes_command)


_add_groups()
