"""The award record: everything the export formats need about one award, in one plain value.

Built from the synced marketplace data (the award, its opportunity and winning proposal, the
proposals submitted), the bridge's own (the department, the French texts, amendments) and the
coding procurement staff would otherwise type (commodity and economic object codes, solicitation
procedure, ...), which comes from ``config/exports.toml`` per opportunity kind. Exporters are pure
functions of this value, so each format is testable with plain records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

SupplierKind = Literal["organization", "individual"]


@dataclass(frozen=True)
class SupplierRecord:
    key: str  # "organization:<id>" or "individual:<e-mail>": one supplier across records
    kind: SupplierKind
    legal_name: str
    postal_code: str | None  # as the marketplace has it, e.g. "K1A 0B1"
    country: str | None  # as the marketplace spells it, e.g. "Canada"


@dataclass(frozen=True)
class AmendmentRecord:
    number: int  # 1, 2, … in the order they took effect
    effective_on: date
    value_change: Decimal  # taxes included, like every value of the record
    reason: str


@dataclass(frozen=True)
class AwardRecord:
    opportunity_id: str
    kind: str  # the marketplace's spelling: "code-with-us", …
    department_acronym: str
    department_name_en: str
    department_name_fr: str
    title_en: str
    title_fr: str
    description_en: str
    description_fr: str
    buyer_name: str
    supplier: SupplierRecord
    original_value: Decimal  # taxes included (per the rule settings), CAD
    award_date: date
    proposal_deadline: date
    tender_published: date | None
    start_date: date | None
    end_date: date | None
    number_of_bids: int
    amendments: tuple[AmendmentRecord, ...] = ()
    # Code-list fields of the disclosure report, by field id (config defaults, then overrides).
    coding: Mapping[str, str] = field(default_factory=dict)
    canceled_on: date | None = None  # the contract was terminated

    @property
    def amendment_value(self) -> Decimal:
        return sum((item.value_change for item in self.amendments), Decimal("0.00"))

    @property
    def contract_value(self) -> Decimal:
        return self.original_value + self.amendment_value


def to_document(record: AwardRecord) -> dict[str, Any]:
    """The record as JSON: money as exact strings, dates as ISO days."""
    document: dict[str, Any] = json.loads(json.dumps(asdict(record), default=_plain))
    return document


def fingerprint(record: AwardRecord) -> str:
    text = json.dumps(to_document(record), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def from_document(document: Mapping[str, Any]) -> AwardRecord:
    """The record ``to_document`` wrote (reports are rebuilt from the stored records)."""
    values = dict(document)
    values["supplier"] = SupplierRecord(**values["supplier"])
    values["amendments"] = tuple(
        AmendmentRecord(
            item["number"],
            date.fromisoformat(item["effective_on"]),
            Decimal(item["value_change"]),
            item["reason"],
        )
        for item in values["amendments"]
    )
    values["original_value"] = Decimal(values["original_value"])
    for name in ("award_date", "proposal_deadline"):
        values[name] = date.fromisoformat(values[name])
    for name in ("tender_published", "start_date", "end_date", "canceled_on"):
        values[name] = _day(values[name])
    return AwardRecord(**values)
