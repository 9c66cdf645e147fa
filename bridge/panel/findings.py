"""Findings as sentences in the reader's language, with money and names formatted for them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from bridge.catalogs import Plural
from bridge.panel.i18n import money, number
from bridge.panel.labels import KINDS
from bridge.panel.scope import may_read_bidders
from bridge.rules.messages import (
    FACT_KINDS,
    KIND_PARAMS,
    LANGUAGE_NAMES,
    LANGUAGE_PARAMS,
    MESSAGES,
    MONEY_PARAMS,
    NUMBER_PARAMS,
)
from bridge.translations.texts import ADDENDUM_PREFIX

FIELD_LABELS: dict[str, Any] = {
    "title": _l("Title"),
    "teaser": _l("Teaser"),
    "description": _l("Description"),
    "acceptance_criteria": _l("Acceptance criteria"),
    "evaluation_criteria": _l("Evaluation criteria"),
    "submission_info": _l("Submission information"),
    "location": _l("Location"),
    "remote_desc": _l("Remote work"),
}
SEVERITY_LABELS: dict[str, Any] = {
    "block": _l("Blocking"),
    "warn": _l("Warning"),
    "info": _l("Information"),
}


def field_label(field: str | None) -> str:
    if not field:
        return ""
    if field.startswith(ADDENDUM_PREFIX):
        return str(_("Addendum"))
    return str(FIELD_LABELS.get(field, field))


# Parameters that name a person or firm who bid: for those who may read proposals alone.
BIDDER_PARAMS = frozenset({"supplier"})


def _param(name: str, value: Any) -> Any:
    if name in BIDDER_PARAMS and not may_read_bidders():
        return str(_("a supplier"))
    if name in MONEY_PARAMS:
        try:
            return money(Decimal(str(value)))
        except InvalidOperation:
            return value
    if name in LANGUAGE_PARAMS:
        return str(LANGUAGE_NAMES.get(value, value))
    if name in NUMBER_PARAMS and isinstance(value, int):
        return number(value)
    if name in KIND_PARAMS:
        return str(KINDS.get(value, value))
    if name == "what":
        return str(FACT_KINDS.get(value, value))
    return value


def finding_message(message_key: str, params: dict[str, Any]) -> str:
    template = MESSAGES.get(message_key)
    if template is None:
        return message_key
    values = {name: _param(name, value) for name, value in params.items()}
    try:
        if isinstance(template, Plural):
            count = int(params.get("count", 0))
            return str(ngettext(template.singular, template.plural, count, **values))
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def init_findings(app: Flask) -> None:
    app.jinja_env.globals.update(
        finding_message=finding_message,
        field_label=field_label,
        severity_label=lambda severity: SEVERITY_LABELS.get(severity, severity),
    )
