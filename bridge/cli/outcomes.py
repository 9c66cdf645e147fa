"""``gc-bridge outcomes``: the pilot's figures for monitoring and reports."""

from __future__ import annotations

import json

import click

from bridge.cli.context import Context, pass_context


@click.command("outcomes")
@click.option(
    "--period",
    default=None,
    help="2026, 2026-11, 2026-2027 or 2026-2027-Q3 (default: this fiscal year).",
)
@click.option("--department", default=None, help="A department's acronym (default: all).")
@click.option("--kind", default=None, help="code-with-us, sprint-with-us or team-with-us.")
@click.option("--json", "as_json", is_flag=True, help="The figures as JSON (README: Outcomes).")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="The period's aggregate figures as the open-data CSV (every department).",
)
@pass_context
def outcomes_command(
    context: Context,
    period: str | None,
    department: str | None,
    kind: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Cycle time per stage, reach of the awards, what is stuck and the early warnings."""
    from bridge.clock import utcnow
    from bridge.contracts.numbering import fiscal_year
    from bridge.db.engine import session_factory
    from bridge.outcomes.periods import UnknownPeriod, parse_period
    from bridge.outcomes.report import outcomes

    settings = context.settings
    now = utcnow()
    if period is None:
        start = int(fiscal_year(now.astimezone(settings.zone).date())[:4])
        period = f"{start}-{start + 1}"
    try:
        chosen = parse_period(period)
    except UnknownPeriod as unknown:
        raise click.BadParameter(str(unknown), param_hint="--period") from None
    if as_csv:
        from bridge.outcomes.open_data import csv_text, figure_rows

        with session_factory(context.migrated_engine())() as session:
            click.echo(csv_text(figure_rows(session, settings, chosen, now)), nl=False)
        return
    with session_factory(context.migrated_engine())() as session:
        try:
            report = outcomes(session, settings, chosen, now, department=department, kind=kind)
        except LookupError:
            raise click.BadParameter(
                f"no department {department}", param_hint="--department"
            ) from None
    figures = report.as_dict()
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    click.echo(f"period {figures['period']}")
    for stage, summary in figures["cycle_time_days"].items():
        median, p90 = summary["median"], summary["p90"]
        click.echo(f"  {stage:<20} {summary['count']:>5}  median {median} d  p90 {p90} d")
    reached = figures["reach"]
    click.echo(
        f"awards to {reached['individuals']} individuals and {reached['organizations']} "
        f"organizations; {reached['first_time_suppliers']} first-time suppliers"
    )
    click.echo(f"stuck: {len(figures['stuck'])}, warnings: {len(figures['warnings'])}")
