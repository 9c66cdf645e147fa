"""The second official language: the side-by-side editor, and bulk export and import.

The editor shows each marketplace text beside its translation, with the Markdown preview and the
outdated marks; saving re-judges the opportunity so its blocking findings clear as the
translator works. Export and import carry the pending texts to and from the Translation Bureau
in XLIFF 2.0 or CSV; an import reports its problems unit by unit and keeps what it can.
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from adapters.registry import rule_pipeline
from bridge.catalogs import Language
from bridge.clock import utcnow
from bridge.departments.service import all_departments
from bridge.panel import db
from bridge.panel.forms import TranslationImportForm
from bridge.panel.i18n import number
from bridge.panel.markdown import render_markdown
from bridge.panel.views.sync import acting_user
from bridge.rules.queries import current_evaluation, fields_needing_translation
from bridge.sync.queries import opportunity_with_everything
from bridge.translations import interchange
from bridge.translations.service import (
    apply_import,
    authored,
    export_units,
    field_statuses,
    save_translation,
)

# The export's direction: source and target language.
DIRECTIONS: dict[str, tuple[Language, Language]] = {"en-fr": ("en", "fr"), "fr-en": ("fr", "en")}

blueprint = Blueprint("translations", __name__)


def _pending_units(
    database: Session, department_id: int | None = None
) -> list[interchange.ExportUnit]:
    """The texts whose findings say they need a translation, ready to send to translators."""
    return export_units(database, fields_needing_translation(database, department_id))


MAX_TEXT = 100_000
IMPORT_PROBLEMS: dict[str, Any] = {
    "unknown_unit": _l("No such text: the opportunity or the field does not exist (any more)."),
    "bad_language": _l("The translation is not in the language the opportunity needs."),
    "source_changed": _l(
        "Saved, but the marketplace text changed after the export: the translation is marked "
        "outdated."
    ),
    "missing_target": _l("The unit has no translation."),
    "empty_target": _l("The translation is empty."),
    "duplicate_id": _l("The unit appears more than once."),
    "missing_id": _l("A unit has no identifier."),
    "bad_id": _l("A unit identifier holds control characters."),
    "missing_source_hash": _l("The unit does not say which text it translates."),
    "not_xliff": _l("The file is not an XLIFF 2.0 document."),
    "wrong_version": _l("The file is not XLIFF version 2.0."),
    "bad_csv_header": _l("The CSV file does not have the expected columns."),
    "too_large": _l("The file is too large."),
    "bad_encoding": _l("The file is not UTF-8 text."),
}


class EditorForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the text fields depend on the opportunity and are read by name."""


def _opportunity_or_404(opportunity_id: str) -> Any:
    opportunity = opportunity_with_everything(db(), opportunity_id)
    if opportunity is None:
        abort(404)
    return opportunity


@blueprint.route("/opportunities/<opportunity_id>/translations", methods=["GET", "POST"])
def editor(opportunity_id: str) -> Any:
    database = db()
    opportunity = _opportunity_or_404(opportunity_id)
    form = EditorForm()
    statuses = field_statuses(database, opportunity)
    drafts = {status.field: status.translation for status in statuses}
    errors: dict[str, str] = {}
    preview = False
    if form.validate_on_submit():
        for status in statuses:
            text = request.form.get(f"text-{status.field}", "")
            if len(text) > MAX_TEXT:
                errors[status.field] = ngettext(
                    "Shorten this text to %(count)s character or fewer.",
                    "Shorten this text to %(count)s characters or fewer.",
                    MAX_TEXT,
                    count=number(MAX_TEXT),
                )
            drafts[status.field] = text
        preview = "preview" in request.form
        if not errors and not preview:
            changed = [
                status.field
                for status in statuses
                if drafts[status.field] != status.translation or status.outdated
                if drafts[status.field].strip() or status.translation
            ]
            for field in changed:
                save_translation(database, opportunity, field, drafts[field], acting_user())
            rule_pipeline().evaluate(database, [opportunity.id], "translation")
            database.commit()
            evaluation = current_evaluation(database, opportunity.id)
            blocking = evaluation.blocking if evaluation else 0
            saved = ngettext(
                "%(count)s translation saved. Blocking findings left: %(blocking)s.",
                "%(count)s translations saved. Blocking findings left: %(blocking)s.",
                len(changed),
                count=number(len(changed)),
                blocking=number(blocking),
            )
            flash(saved, "success")
            return redirect(url_for("translations.editor", opportunity_id=opportunity.id))
    status_code = 400 if errors or form.errors else 200
    return render_template(
        "translations/editor.html",
        opportunity=opportunity,
        form=form,
        statuses=statuses,
        drafts=drafts,
        errors=errors,
        preview=preview,
        markdown=render_markdown,
        source_language=authored(database, opportunity)[1],
        evaluation=current_evaluation(database, opportunity.id),
    ), status_code


@blueprint.route("/translations/", methods=["GET", "POST"])
def exchange() -> Any:
    """The page of both directions: download what is pending, upload what came back."""
    database = db()
    form = TranslationImportForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(interchange.MAX_IMPORT_BYTES + 1)
        is_csv = (upload.filename or "").lower().endswith(".csv")
        result = interchange.import_csv(data) if is_csv else interchange.import_xliff(data)
        outcome = apply_import(database, result, acting_user())
        if outcome.opportunity_ids:
            rule_pipeline().evaluate(database, sorted(outcome.opportunity_ids), "translation")
        database.commit()
    departments = all_departments(database)
    status_code = 400 if form.errors else 200
    return render_template(
        "translations/exchange.html",
        form=form,
        outcome=outcome,
        problems=IMPORT_PROBLEMS,
        departments=departments,
        pending=len(_pending_units(database)),
    ), status_code


@blueprint.route("/translations/export")
def export() -> Response:
    database = db()
    chosen = request.args.get("department") or ""
    department = next((d for d in all_departments(database) if d.acronym == chosen), None)
    units = _pending_units(database, department.id if department else None)
    direction = DIRECTIONS.get(request.args.get("direction") or "")
    if direction is not None:  # one language pair, as XLIFF 2.0 files hold
        units = [
            unit for unit in units if (unit.source_language, unit.target_language) == direction
        ]
    kind = "csv" if request.args.get("format") == "csv" else "xliff"
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    # Named from the department found, never from the query's raw text.
    name = f"gc-bridge-translations-{department.acronym if department else 'all'}-{stamp}"
    if kind == "csv":
        body = interchange.export_csv(units)
        return _download(body, "text/csv", f"{name}.csv")
    if not units:
        flash(_("No text is waiting for a translation."), "info")
        return redirect(url_for("translations.exchange"))
    groups: dict[tuple[Language, Language], list[interchange.ExportUnit]] = {}
    for unit in units:
        groups.setdefault((unit.source_language, unit.target_language), []).append(unit)
    if len(groups) > 1:
        flash(_("An XLIFF file holds one language pair: choose a direction."), "error")
        return redirect(url_for("translations.exchange"))
    (source, target), only = next(iter(groups.items()))
    body = interchange.export_xliff(only, source_language=source, target_language=target)
    return _download(body, "application/xliff+xml", f"{name}.xlf")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    """Werkzeug quotes and encodes the file name in the header."""
    return send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename
    )
