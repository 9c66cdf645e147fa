"""The GC rules in the panel: the settings (administrators) and what needs attention."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from adapters.registry import rule_pipeline
from bridge.departments.service import all_departments
from bridge.panel import db
from bridge.panel.exporting import rebuild
from bridge.panel.forms import RuleSettingsForm
from bridge.panel.i18n import number
from bridge.panel.params import page_number, page_size
from bridge.panel.titles import prefetch_titles
from bridge.panel.views.sync import acting_user
from bridge.rules.queries import needing_attention
from bridge.rules.settings import RuleSettings, load_rule_settings, save_rule_settings

blueprint = Blueprint("rules", __name__, url_prefix="/rules")

HUNDRED = Decimal(100)


def _form_from(settings: RuleSettings) -> RuleSettingsForm:
    form = RuleSettingsForm(obj=settings)
    if not form.is_submitted():
        form.tax_rate_percent.data = (settings.tax_rate * HUNDRED).normalize()
    return form


def _settings_from(form: RuleSettingsForm) -> RuleSettings:
    values = {name: form[name].data for name in RuleSettings.model_fields if name in form}
    values["tax_rate"] = (form.tax_rate_percent.data / HUNDRED).quantize(Decimal("0.0001"))
    values["cap_amount"] = form.cap_amount.data.quantize(Decimal("0.01"))
    for name in ("similarity_threshold", "length_ratio_low", "length_ratio_high"):
        values[name] = values[name].quantize(Decimal("0.01"))
    return RuleSettings.model_validate(values)


@blueprint.route("/settings", methods=["GET", "POST"])
def settings() -> Any:
    database = db()
    current = load_rule_settings(database)
    form = _form_from(current)
    if form.validate_on_submit():
        changes = save_rule_settings(database, _settings_from(form), acting_user())
        if changes:
            flash(_("Settings saved.") + " " + judge_everything_again("settings"), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("rules.settings"))
    status = 400 if form.errors else 200
    return render_template("rules/settings.html", form=form), status


def judge_everything_again(trigger: str) -> str:
    """Commit the change, then judge every opportunity: in the background when the panel runs
    with the scheduler (thousands of opportunities take a while), else here and now."""
    database = db()
    database.commit()
    launch = current_app.config.get("BRIDGE_LAUNCH_REEVALUATION")
    if launch is not None:
        launch(trigger)
        return str(
            _("Every opportunity is being judged again; the findings update in a few minutes.")
        )
    report = rule_pipeline().evaluate_all(database, trigger)
    rebuild()  # an award held back for want of a department may now have one
    database.commit()
    return str(
        ngettext(
            "%(count)s opportunity re-evaluated; with new findings: %(changed)s.",
            "%(count)s opportunities re-evaluated; with new findings: %(changed)s.",
            report.evaluated,
            count=number(report.evaluated),
            changed=number(report.changed),
        )
    )


@blueprint.route("/attention")
def attention() -> Any:
    database = db()
    departments = all_departments(database)
    chosen = request.args.get("department") or ""
    department = next((d for d in departments if d.acronym == chosen), None)
    page = needing_attention(
        database,
        department.id if department else None,
        chosen == "unrouted",
        page_number(),
        page_size(),
    )
    names = {d.id: d for d in departments}
    prefetch_titles(evaluation.opportunity_id for evaluation in page.items)
    return render_template(
        "rules/attention.html",
        page=page,
        departments=departments,
        department_names=names,
        chosen=chosen,
    )
