"""Is micro-procurement working? The pilot's figures for a period, a department and a kind:
how long each stage takes, the trend by month, whom the dollars reach, what is stuck and the
early warnings; a chart with a data table beside each, and every table as CSV.

Counts and sums only. For readers who may not read proposals, a province (or region) with fewer
than three awards shows neither its count nor its value: one award to an individual in a small
territory would name its supplier.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from flask import request as http_request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from bridge.clock import utcnow
from bridge.contracts.numbering import fiscal_year
from bridge.departments.service import all_departments
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.outcomes.cache import ReportCache
from bridge.outcomes.periods import UnknownPeriod, parse_period
from bridge.outcomes.reach import Tally
from bridge.outcomes.report import Outcomes, outcomes
from bridge.panel import db
from bridge.panel.charts import bars, lines
from bridge.panel.i18n import current_language, number
from bridge.panel.labels import KINDS, POINT_LABELS, WARNING_LABELS, province_label, stage_label
from bridge.panel.scope import may_read_bidders
from bridge.panel.titles import prefetch_titles
from bridge.settings import Settings
from bridge.spreadsheet import as_text_cell

blueprint = Blueprint("outcomes", __name__, url_prefix="/outcomes")

LISTED = 50  # opportunities listed as stuck or warned on the page; the CSV holds them all
# Each table, as its download link names it to a screen reader.
TABLES = {
    "stages": _l("Days per stage"),
    "trend": _l("By month"),
    "provinces": _l("Awards by province or territory"),
    "stuck": _l("Where opportunities wait"),
    "warnings": _l("Early warnings"),
}


def _settings() -> Settings:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return settings


def _this_fiscal_year() -> str:
    start = int(fiscal_year(utcnow().astimezone(_settings().zone).date())[:4])
    return f"{start}-{start + 1}"


def _valid_period(_form: FlaskForm, field: Any) -> None:
    if field.data:
        try:
            parse_period(field.data)
        except UnknownPeriod:
            raise ValidationError(
                _(
                    "Enter a year (2026), a month (2026-11), a fiscal year (2026-2027) or a "
                    "fiscal quarter (2026-2027-Q3)."
                )
            ) from None


class OutcomesForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a read through GET changes nothing

    period = StringField(_l("Period"), validators=[Optional(), _valid_period])
    department = SelectField(_l("Department"), validate_choice=True, default="")
    kind = SelectField(_l("Kind"), validate_choice=True, default="")


def _form() -> OutcomesForm:
    form = OutcomesForm(http_request.args)
    language = current_language()
    form.department.choices = [SelectChoice("", _("All departments"))] + [
        SelectChoice(item.acronym, f"{item.acronym} — {item.name(language)}")
        for item in all_departments(db())
    ]
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(kind.value, str(KINDS.get(kind.value, kind.value))) for kind in OpportunityKind
    ]
    return form


def _kept() -> ReportCache:
    kept: ReportCache = current_app.extensions.setdefault("bridge_outcomes", ReportCache())
    return kept


def _wanted(form: OutcomesForm) -> tuple[Hashable, Callable[[], Outcomes]]:
    """The report the form asks for: its key among the kept ones, and how to make it."""
    period = parse_period(form.period.data or _this_fiscal_year())
    department, kind = form.department.data or None, form.kind.data or None
    settings, database = _settings(), db()

    def make() -> Outcomes:
        return outcomes(database, settings, period, utcnow(), department=department, kind=kind)

    return (period, department, kind), make


def _report(form: OutcomesForm) -> Outcomes:
    """The figures, kept between requests while the data stays the same (see ReportCache)."""
    return _kept().get(db(), *_wanted(form))


def provinces(report: Outcomes) -> list[tuple[str, Tally | None]]:
    """Province → its awards, or ``None`` where the reader may not see so few."""
    shown = may_read_bidders()
    rows: list[tuple[str, Tally | None]] = []
    for code, tally in sorted(report.reach.by_province.items()):
        rows.append((code, tally if shown or not tally.too_small else None))
    return rows


def regions(report: Outcomes) -> list[tuple[str, Tally | None]]:
    shown = may_read_bidders()
    return [
        (name, tally if shown or not tally.too_small else None)
        for name, tally in (
            (_("National Capital Region"), report.reach.capital_region),
            (_("Outside the National Capital Region"), report.reach.elsewhere),
        )
    ]


def _charts(report: Outcomes) -> dict[str, str]:
    stages = list(report.calendar_days)
    shown = [(code, tally) for code, tally in provinces(report) if tally is not None]
    return {
        "stages": bars(
            _("Days per stage"),
            [str(stage_label(stage)) for stage in stages],
            [
                (_("Median"), [report.calendar_days[stage].median for stage in stages]),
                (_("90th percentile"), [report.calendar_days[stage].p90 for stage in stages]),
            ],
        ),
        "trend": lines(
            _("By month"),
            [item.month for item in report.trend],
            [
                (_("Published"), [item.published for item in report.trend]),
                (_("Awarded"), [item.awarded for item in report.trend]),
                (_("Paid"), [item.paid for item in report.trend]),
            ],
        ),
        "provinces": bars(
            _("Awards by province or territory"),
            [str(province_label(code)) for code, _tally in shown],
            [(_("Awards"), [tally.awards for _code, tally in shown if tally])],
        ),
    }


@blueprint.route("/")
def index() -> Any:
    form = _form()
    if http_request.args and not form.validate():
        return render_template("outcomes/index.html", form=form, report=None), 400
    key, make = _wanted(form)
    # The figures are rendered once a language and reader (small cells shown or not) while
    # the report is kept: every reader of the same view gets the same tables and charts.
    view = (current_language(), may_read_bidders())
    report, figures = _kept().drawn(db(), key, make, view, _figures)
    return render_template("outcomes/index.html", form=form, report=report, figures=figures)


def _figures(report: Outcomes) -> Markup:
    stuck, warned = report.stuck[:LISTED], report.warnings[:LISTED]
    ids = [item.opportunity_id for item in stuck] + [item.opportunity_id for item in warned]
    chosen = {"period": report.period.name, "department": report.department, "kind": report.kind}
    return Markup(
        render_template(
            "outcomes/_figures.html",
            report=report,
            stuck=stuck,
            warned=warned,
            listed=LISTED,
            provinces=provinces(report),
            regions=regions(report),
            charts=_charts(report),
            titles=prefetch_titles(ids),
            args={name: value for name, value in chosen.items() if value},
            tables={name: table_rows(report, name) for name in ("stages", "trend", "provinces")},
            table_names=TABLES,
        )
    )


def _rows(report: Outcomes, table: str) -> list[list[Any]]:
    """A table as the page shows it, header first."""
    if table == "stages":
        return [
            [
                _("Stage"),
                _("Opportunities"),
                _("Median days"),
                _("90th percentile, days"),
                _("Median working days"),
                _("90th percentile, working days"),
            ]
        ] + [
            [
                stage_label(stage),
                item.count,
                item.median,
                item.p90,
                report.working_days[stage].median,
                report.working_days[stage].p90,
            ]
            for stage, item in report.calendar_days.items()
        ]
    if table == "trend":
        return [
            [
                _("Month"),
                _("Published"),
                _("Awarded"),
                _("Paid"),
                _("Median days from need to award"),
            ]
        ] + [
            [item.month, item.published, item.awarded, item.paid, item.need_to_award.median]
            for item in report.trend
        ]
    if table == "provinces":
        return [[_("Province or territory"), _("Awards"), _("Value")]] + [
            [
                province_label(code),
                tally.awards if tally else _("fewer than 3"),
                f"{tally.value:.2f}" if tally else "",
            ]
            for code, tally in provinces(report) + regions(report)
        ]
    if table == "stuck":
        return [[_("Opportunity"), _("Department"), _("Waiting after"), _("Since"), _("Days")]] + [
            [
                item.opportunity_id,
                report.acronyms.get(item.department_id or 0, ""),
                POINT_LABELS.get(item.at, item.at),
                item.since.date().isoformat(),
                item.days,
            ]
            for item in report.stuck
        ]
    return [[_("Warning"), _("Opportunity"), _("Department"), _("Since"), _("Days")]] + [
        [
            WARNING_LABELS.get(item.kind, item.kind),
            item.opportunity_id,
            report.acronyms.get(item.department_id or 0, ""),
            item.since.isoformat(),
            item.days,
        ]
        for item in report.warnings
    ]


@blueprint.route("/<table>.csv")
def table_csv(table: str) -> Any:
    if table not in TABLES:
        abort(404)
    form = _form()
    if not form.validate():
        abort(400)
    report = _report(form)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _rows(report, table):
        writer.writerow([as_text_cell("" if cell is None else str(cell)) for cell in row])
    name = f"outcomes-{table}-{report.period.name}.csv"
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def table_rows(report: Outcomes, table: str) -> list[list[Any]]:
    """For the template: the same rows the CSV has, numbers in the reader's way."""

    def shown(cell: Any) -> Any:
        if cell is None:
            return "—"
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return number(cell)
        return cell

    return [[shown(cell) for cell in row] for row in _rows(report, table)]
