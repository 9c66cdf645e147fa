"""What procurement staff complete or correct on an award: its coding, amendments, termination.

Each change is checked against the disclosure's code lists, audited, and builds the record again
in the same transaction, so a corrective delivery is enqueued with it (or not at all). An
amendment also changes the contract's value for the GC rules, which judge it again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from bridge.audit.service import Actor, record
from bridge.awards.models import AwardAmendment
from bridge.exports.build import load_coding
from bridge.exports.formats.disclosure import INDIVIDUAL_TABLE, load_table
from bridge.exports.models import ExportedAward
from bridge.exports.outbox import refresh
from bridge.notifications.messages import N_
from bridge.rules.pipeline import RulePipeline
from bridge.settings import Settings
from bridge.sync.models import Opportunity

# The coding staff may change: code-list fields and the two free codes.
FREE_CODES = {"economic_object_code": r"^(\d{3,4}|NA)$", "commodity_code": r"^[A-Za-z0-9]{1,8}$"}
FREE_CODE_HINTS = {
    "economic_object_code": N_("Enter 3 or 4 digits, or NA."),
    "commodity_code": N_("Enter up to 8 letters and digits (a GSIN code)."),
}

NOT_IN_LIST = N_("Not in its list: %(codes)s. Separate codes with commas.")

# A problem with a code: a catalog message and its values, worded in the reader's language.
CodeProblem = tuple[str, dict[str, str]]


class CodingRefused(ValueError):
    """A code outside its list; ``field`` names it."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def editable_fields() -> dict[str, frozenset[str] | None]:
    """Field id → its codes (``None`` for the free codes), in the table's order."""
    table = load_table(INDIVIDUAL_TABLE)
    chosen: dict[str, frozenset[str] | None] = {}
    for spec in table.fields:
        if spec.id in FREE_CODES:
            chosen[spec.id] = None
        elif spec.choices is not None and spec.id not in (
            "country_of_vendor",
            "reporting_period",
            "instrument_type",
        ):
            chosen[spec.id] = spec.choices
    return chosen


def code_problem(field: str, value: str) -> CodeProblem | None:
    """Why ``value`` is not a code ``field`` takes; ``None`` when it is. The one check of a
    code: the panel's form says it beside the field, ``save_coding`` refuses on it."""
    codes = editable_fields().get(field, frozenset())
    if codes is None:
        return None if re.match(FREE_CODES[field], value) else (FREE_CODE_HINTS[field], {})
    unknown = [part for part in (item.strip() for item in value.split(",")) if part not in codes]
    return (NOT_IN_LIST, {"codes": ", ".join(unknown)}) if unknown else None


def _exported(session: Session, opportunity_id: str) -> ExportedAward:
    exported = session.get(ExportedAward, opportunity_id)
    if exported is None:
        exported = ExportedAward(opportunity_id=opportunity_id, revision=0, coding={})
        session.add(exported)
    return exported


def _defaults(session: Session, opportunity_id: str) -> dict[str, str]:
    opportunity = session.get(Opportunity, opportunity_id)
    return load_coding().get(opportunity.kind, {}) if opportunity is not None else {}


def effective_coding(session: Session, opportunity_id: str) -> dict[str, str]:
    """The coding a record is built with: the shipped defaults for its kind, then staff's."""
    exported = session.get(ExportedAward, opportunity_id)
    staff = exported.coding if exported is not None else {}
    return {**_defaults(session, opportunity_id), **staff}


def save_coding(
    session: Session,
    opportunity_id: str,
    coding: Mapping[str, str],
    settings: Settings,
    actor: Actor,
) -> bool:
    """Keep staff's coding and build the record again; False (nothing kept, no revision, no
    audit entry) when the coding in effect would not change."""
    fields = editable_fields()
    for field, value in coding.items():
        if field not in fields or not value or code_problem(field, value):
            raise CodingRefused(field)
    if {**_defaults(session, opportunity_id), **coding} == effective_coding(
        session, opportunity_id
    ):
        return False
    exported = _exported(session, opportunity_id)
    stored = dict(exported.coding)
    exported.coding = dict(coding)
    record(
        session,
        actor,
        "export.coding_saved",
        "award",
        opportunity_id,
        before=stored,
        after=dict(coding),
    )
    refresh(session, [opportunity_id], settings)
    return True


def record_amendment(
    session: Session,
    opportunity_id: str,
    change: Decimal,
    effective_on: date,
    reason: str,
    settings: Settings,
    actor: Actor,
    pipeline: RulePipeline,
) -> None:
    """Record an amendment of the award's value and judge the opportunity again with it (the
    value cap counts amendments); ``pipeline`` holds the rules, which the caller wires in."""
    moment = datetime.combine(effective_on, time(12), tzinfo=settings.zone).astimezone(UTC)
    session.add(
        AwardAmendment(
            opportunity_id=opportunity_id,
            amount_change=change,
            reason=reason,
            effective_on=moment,
            recorded_by=actor.name,
        )
    )
    session.flush()
    record(
        session,
        actor,
        "export.amendment_recorded",
        "award",
        opportunity_id,
        after={"change": str(change), "effective_on": effective_on.isoformat(), "reason": reason},
    )
    pipeline.evaluate(session, [opportunity_id], "amendment")
    refresh(session, [opportunity_id], settings)


def terminate(
    session: Session, opportunity_id: str, on: date, settings: Settings, actor: Actor
) -> None:
    exported = _exported(session, opportunity_id)
    exported.terminated_on = on
    record(
        session,
        actor,
        "export.terminated",
        "award",
        opportunity_id,
        after={"terminated_on": on.isoformat()},
    )
    refresh(session, [opportunity_id], settings)
