"""Words for the marketplace's codes (kinds, statuses, events) in the reader's language.

The codes stay as the marketplace spells them in storage and in ``status --json``; only the
panel shows them as words. An unknown code (a fork may add one) is shown as it is.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from bridge.accounts.models import Role
from bridge.panel.forms import ROLE_LABELS
from bridge.panel.scope import can, may_read_comments

KINDS = {
    # TRANSLATORS: the marketplace's programme names, translated as the French marketplace does
    "code-with-us": _l("Code With Us"),
    "sprint-with-us": _l("Sprint With Us"),
    "team-with-us": _l("Team With Us"),
    "user": _l("Users"),
    "organization": _l("Organizations"),
}
STATUSES = {
    "DRAFT": _l("Draft"),
    "UNDER_REVIEW": _l("Under review"),
    "PUBLISHED": _l("Published"),
    "EVALUATION": _l("Evaluation"),
    "EVAL_QUESTIONS_INDIVIDUAL": _l("Evaluation: individual questions"),
    "EVAL_QUESTIONS_CONSENSUS": _l("Evaluation: question consensus"),
    "EVAL_CC": _l("Evaluation: code challenge"),
    "EVAL_C": _l("Evaluation: challenge"),
    "EVAL_SCENARIO": _l("Evaluation: team scenario"),
    "PROCESSING": _l("Processing"),
    "AWARDED": _l("Awarded"),
    "CANCELED": _l("Cancelled"),
    "SUSPENDED": _l("Suspended"),
    "SUBMITTED": _l("Submitted"),
    "UNDER_REVIEW_QUESTIONS": _l("Under review: questions"),
    "EVALUATED_QUESTIONS": _l("Evaluated: questions"),
    "UNDER_REVIEW_CODE_CHALLENGE": _l("Under review: code challenge"),
    "EVALUATED_CODE_CHALLENGE": _l("Evaluated: code challenge"),
    "UNDER_REVIEW_TEAM_SCENARIO": _l("Under review: team scenario"),
    "EVALUATED_TEAM_SCENARIO": _l("Evaluated: team scenario"),
    "UNDER_REVIEW_CHALLENGE": _l("Under review: challenge"),
    "EVALUATED_CHALLENGE": _l("Evaluated: challenge"),
    "EVALUATED": _l("Evaluated"),
    "NOT_AWARDED": _l("Not awarded"),
    "DISQUALIFIED": _l("Disqualified"),
    "WITHDRAWN": _l("Withdrawn"),
    "EDITED": _l("Edited"),
    "ADDENDUM_ADDED": _l("Addendum added"),
    "NOTE_ADDED": _l("Note added"),
    "SCORE_ENTERED": _l("Score entered"),
}
OUTCOMES = {
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": lazy_pgettext("a sync run's outcome", "Failed"),
    "interrupted": _l("Interrupted"),
}
TRIGGERS = {
    "manual": _l("Command line"),
    "schedule": _l("Schedule"),
    "panel": _l("Panel"),
    "retry": _l("Quarantine retry"),
    "approval": _l("After an approval"),
    "write-back": _l("Read back after publication"),
}
# Where award records go (``BRIDGE_EXPORT_SINKS``).
SINKS = {
    "directory": _l("Files on the server"),
    "webhook": _l("Webhook"),
    "email": _l("E-mail"),
}
SECTIONS = {
    "opportunities": _l("Opportunities"),
    "proposals": _l("Proposals"),
    "organizations": _l("Organizations"),
    "users": _l("Marketplace users"),
}


# What a quarantined record was, as the sync names it ("opportunity:code-with-us").
RECORD_KINDS = {
    "opportunity": _l("Opportunity"),
    "opportunity-list": _l("List of opportunities"),
    "proposal": _l("Proposal"),
    "user": _l("Marketplace user"),
    "organization": _l("Organization"),
}


def record_kind_label(code: str) -> str:
    """ "opportunity:code-with-us" → "Opportunity (Code With Us)" in the reader's language."""
    record, _sep, kind = code.partition(":")
    label = str(RECORD_KINDS.get(record, record))
    return (
        str(_("%(record)s (%(kind)s)", record=label, kind=KINDS.get(kind, kind))) if kind else label
    )


def _label(table: dict[str, Any]) -> Any:
    def label(code: str | None) -> Any:
        return table.get(code or "", code or "—")

    return label


# The contracts' terms, as administrators edit them (config/contracts.toml's keys).
TERM_LABELS = {
    "licence": _l("Open-source licence (SPDX identifier)"),
    "payment_days": _l("Days to pay after the invoice and the acceptance"),
    "licence_en": _l("Licence clause, in English"),
    "licence_fr": _l("Licence clause, in French"),
    "intellectual_property_en": _l("Intellectual property clause, in English"),
    "intellectual_property_fr": _l("Intellectual property clause, in French"),
    "acceptance_en": _l("Acceptance clause, in English"),
    "acceptance_fr": _l("Acceptance clause, in French"),
    "payment_en": _l("Payment clause, in English"),
    "payment_fr": _l("Payment clause, in French"),
}
# Delivered work's states, and the steps of a contract's timeline.
WORK_STATES = {
    "awaiting": _l("Waiting for acceptance"),
    "accepted": _l("Accepted (s.34)"),
    "refused": _l("Refused"),
}
CONTRACT_EVENTS = {
    "issued": _l("Contract issued"),
    "amended": _l("Amendment issued"),
    "sent": _l("Sent to the supplier"),
    "signed": _l("Signed by the supplier"),
    "delivered": _l("Work delivered"),
    "accepted": _l("Work accepted (s.34)"),
    "refused": _l("Work refused"),
    "requisition": _l("Payment requisition made"),
    "paid": _l("Payment confirmed (s.33)"),
}


# The outcome figures' stages, points and warnings (bridge/outcomes).
STAGE_LABELS = {
    "drafting": _l("Drafting"),
    "review": _l("Departmental review"),
    "publication": _l("From approval to publication"),
    "open": _l("Open for proposals"),
    "evaluation": _l("Evaluation to award"),
    "contracting": _l("Award to contract"),
    "delivery": _l("Contract to accepted work"),
    "payment": _l("Acceptance to payment"),
    "need_to_award": _l("From need to award"),
    "need_to_work_done": _l("From need to work done"),
    "whole": _l("From need to payment"),
}
POINT_LABELS = {
    "drafted": _l("Drafted"),
    "submitted": _l("Submitted for review"),
    "approved": _l("Approved"),
    "published": _l("Published"),
    "deadline": _l("Proposals closed"),
    "awarded": _l("Awarded"),
    "contracted": _l("Contract issued"),
    "accepted": _l("Work accepted"),
    "paid": _l("Paid"),
}
WARNING_LABELS = {
    "closing_without_proposal": _l("Closes soon with no proposal"),
    "approval_waiting": _l("Approval step waiting past its target"),
    "award_without_contract": _l("Award with no contract yet"),
    "acceptance_waiting": _l("Delivered work waiting for acceptance"),
    "payment_due_soon": _l("Payment due soon"),
    "payment_overdue": _l("Payment overdue"),
}


def stage_label(stage: str) -> Any:
    """A stage in words; an approval step by its position."""
    if stage.startswith("approval_step_"):
        return _("Approval step %(number)s", number=stage.rsplit("_", 1)[1])
    return STAGE_LABELS.get(stage, stage)


def province_label(code: str) -> Any:
    return _("Unknown") if code == "unknown" else code


def init_labels(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        can=can,
        may_read_comments=may_read_comments,
        kind_label=_label(KINDS),
        status_label=_label(STATUSES),
        outcome_label=_label(OUTCOMES),
        trigger_label=_label(TRIGGERS),
        section_label=_label(SECTIONS),
        sink_label=_label(SINKS),
        record_kind_label=record_kind_label,
        work_state_label=_label(WORK_STATES),
        contract_event_label=_label(CONTRACT_EVENTS),
        stage_label=stage_label,
        point_label=_label(POINT_LABELS),
        warning_label=_label(WARNING_LABELS),
        province_label=province_label,
    )
    app.jinja_env.filters["role_label"] = lambda role: ROLE_LABELS.get(Role(role), role)
