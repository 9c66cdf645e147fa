"""Proactive disclosure of contracts (open.canada.ca), in exactly the published table schema.

The schema is the portal's own table definition (``config/reference/``): field order, types and
code lists. Contracts over $10,000 are disclosed one row per contract or amendment, in the
quarter it was entered into or amended; an amendment that takes a contract over the threshold
moves it into the individual report from then on. Everything at or under it is summed per
calendar year in the aggregate table. Rows are validated against the schema and the fields'
rules before any file is written: a row the portal would refuse never leaves the bridge.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path

from bridge.exports.record import AwardRecord
from bridge.settings import PROJECT_ROOT
from bridge.spreadsheet import runs_as_formula

REFERENCE = PROJECT_ROOT / "config" / "reference"
INDIVIDUAL_TABLE = REFERENCE / "proactive-disclosure-contracts.json"
AGGREGATE_TABLE = REFERENCE / "proactive-disclosure-contracts-aggregate.json"
THRESHOLD = Decimal("10000.00")
CENT = Decimal("0.01")
CATEGORY_FIELDS = {"G": "goods", "S": "service", "C": "construction"}
POSTAL_PREFIX = re.compile(r"^[A-Z]\d[A-Z]$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NON_COMPETITIVE = frozenset({"TN", "AC"})


@dataclass(frozen=True)
class FieldSpec:
    id: str
    type: str  # "text", "_text" (a list of codes), "date", "money", "int", "year", …
    required: bool
    choices: frozenset[str] | None
    labels: Mapping[str, Mapping[str, str]]  # code → language → label
    title: Mapping[str, str]  # language → the field's own label, as the portal shows it

    def label(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.id


@dataclass(frozen=True)
class Table:
    title: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]

    @property
    def header(self) -> list[str]:
        return [spec.id for spec in self.fields]

    def field(self, field_id: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.id == field_id)

    @cached_property
    def countries(self) -> dict[str, str]:
        """Every way the code list names a country (code, English, French), folded → code."""
        names: dict[str, str] = {}
        for code, labels in self.field("country_of_vendor").labels.items():
            for text in (code, *labels.values()):
                names.setdefault(text.casefold(), code)
        return names


@cache
def load_table(path: Path) -> Table:
    resource = json.loads(path.read_text(encoding="utf-8"))["resources"][0]
    fields = []
    for raw in resource["fields"]:
        choices = raw.get("choices")
        fields.append(
            FieldSpec(
                id=raw["id"],
                type=raw["type"],
                required=bool(raw.get("form_required") or raw.get("excel_required")),
                choices=frozenset(choices) if isinstance(choices, dict) else None,
                labels=choices if isinstance(choices, dict) else {},
                title=raw.get("label") or {},
            )
        )
    return Table(resource["title"], tuple(fields), tuple(resource.get("primary_key", ())))


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def reporting_period(day: date) -> str:
    """The fiscal quarter (April to March) as the portal codes it: ``2026-2027-Q3``."""
    start = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    return f"{start}-{start + 1}-Q{quarter}"


def country_code(name: str | None, table: Table) -> str:
    """The code-list code of a country the marketplace spells out (in English or French)."""
    return table.countries.get(name.strip().casefold(), "") if name else ""


def postal_prefix(postal_code: str | None, country: str) -> str:
    """The first three characters of a Canadian postal code; ``NA`` elsewhere or when unknown."""
    prefix = (postal_code or "").replace(" ", "").upper()[:3]
    return prefix if country == "CA" and POSTAL_PREFIX.match(prefix) else "NA"


@dataclass(frozen=True)
class Event:
    """One contract or amendment as the disclosure sees it: its date and value after it."""

    number: int  # 0: the contract, n: amendment n
    day: date
    total: Decimal


def events(record: AwardRecord) -> list[Event]:
    found, total = [Event(0, record.award_date, record.original_value)], record.original_value
    for amendment in record.amendments:
        total += amendment.value_change
        found.append(Event(amendment.number, amendment.effective_on, total))
    return found


def _individually(record: AwardRecord) -> list[Event]:
    """The events disclosed one by one: from the first that puts the contract over $10,000."""
    chosen = events(record)
    for index, event in enumerate(chosen):
        if event.total > THRESHOLD:
            return chosen[index:]
    return []


def individual_rows(record: AwardRecord, table: Table | None = None) -> list[dict[str, str]]:
    """The record's rows in the individual report (none while it stays at or under $10,000)."""
    table = table or load_table(INDIVIDUAL_TABLE)
    country = country_code(record.supplier.country, table)
    rows = []
    for event in _individually(record):
        amendment = event.number > 0
        row = {spec.id: "" for spec in table.fields}
        row.update({key: value for key, value in record.coding.items() if key in row})
        reference = f"{record.department_acronym}-{record.opportunity_id}-{event.number:03d}"
        row.update(
            {
                "reference_number": reference,
                "procurement_id": record.opportunity_id,
                "vendor_name": record.supplier.legal_name,
                "vendor_postal_code": postal_prefix(record.supplier.postal_code, country),
                "buyer_name": "NA" if amendment else record.buyer_name,
                "contract_date": record.award_date.isoformat(),
                "description_en": record.title_en,
                "description_fr": record.title_fr,
                "contract_period_start": record.start_date.isoformat() if record.start_date else "",
                "delivery_date": record.end_date.isoformat() if record.end_date else "",
                "contract_value": money(event.total),
                "original_value": money(record.original_value),
                "amendment_value": money(event.total - record.original_value) if amendment else "",
                "country_of_vendor": country,
                "instrument_type": "A" if amendment else record.coding.get("instrument_type", "C"),
                "number_of_bids": str(record.number_of_bids),
                "reporting_period": reporting_period(event.day),
            }
        )
        if amendment:
            row["award_criteria"] = "0"  # the portal's rule for amendments
        rows.append(row)
    return rows


def aggregate_rows(
    records: Iterable[AwardRecord], year: int, table: Table | None = None
) -> list[dict[str, str]]:
    """The year's row of the aggregate table: contracts and amendments at or under $10,000."""
    table = table or load_table(AGGREGATE_TABLE)
    counts = dict.fromkeys(CATEGORY_FIELDS.values(), 0)
    original = {category: Decimal("0.00") for category in CATEGORY_FIELDS.values()}
    amended = {category: Decimal("0.00") for category in CATEGORY_FIELDS.values()}
    for record in records:
        category = CATEGORY_FIELDS[record.coding.get("commodity_type", "S")]
        individual = {event.number for event in _individually(record)}
        previous = record.original_value
        for event in events(record):
            if event.number in individual:
                break
            if event.day.year == year:
                if event.number == 0:
                    counts[category] += 1
                    original[category] += event.total
                else:
                    amended[category] += event.total - previous
            previous = event.total
    row = {spec.id: "" for spec in table.fields}
    row["year"] = str(year)
    for category in CATEGORY_FIELDS.values():
        # The table's own spelling: "contract_…_number_of", "contracts_…_value".
        row[f"contract_{category}_number_of"] = str(counts[category])
        row[f"contracts_{category}_original_value"] = money(original[category])
        row[f"contracts_{category}_amendment_value"] = money(amended[category])
    row["acquisition_card_transactions_number_of"] = "0"
    row["acquisition_card_transactions_total_value"] = "0.00"
    return [row]


# Validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, as a reader of the CSV counts data rows
    field: str
    message: str


def _format_errors(spec: FieldSpec, value: str) -> list[str]:
    if not value:
        return ["required"] if spec.required else []
    if spec.type == "date" and not ISO_DATE.match(value):
        return ["not a YYYY-MM-DD date"]
    if spec.type == "money" and not MONEY.match(value):
        return ["not an amount with two decimals"]
    if spec.type in ("int", "year") and not value.lstrip("-").isdigit():
        return ["not a whole number"]
    if spec.choices is not None:
        codes = value.split(",") if spec.type == "_text" else [value]
        unknown = [code for code in codes if code not in spec.choices]
        if unknown:
            return [f"not in the code list: {', '.join(unknown)}"]
        if spec.type == "_text" and len(codes) > 1 and {"XX", "NA", "00"} & set(codes):
            return ["a 'none' code must stand alone"]
    return []


def _rule_errors(row: Mapping[str, str]) -> list[tuple[str, str]]:
    """The cross-field rules of the individual table's validation notes."""
    errors = []
    procedure = row.get("solicitation_procedure", "")
    if (
        procedure in {"TC", "TN", "AC"}
        and row.get("trade_agreement", "XX") not in ("", "XX")
        and row.get("limited_tendering_reason") in ("0", "00")
    ):
        errors.append(("limited_tendering_reason", "a reason is needed under a trade agreement"))
    if procedure in NON_COMPETITIVE and row.get("number_of_bids") != "1":
        errors.append(("number_of_bids", "must be 1 for a non-competitive contract"))
    if (procedure in NON_COMPETITIVE or row.get("instrument_type") == "A") and row.get(
        "award_criteria", "0"
    ) not in ("", "0"):
        errors.append(("award_criteria", "must be 0 for a non-competitive contract or amendment"))
    if row.get("instrument_type") == "A" and not row.get("amendment_value"):
        errors.append(("amendment_value", "required for an amendment"))
    postal = row.get("vendor_postal_code")
    if postal is not None and postal != "NA" and not POSTAL_PREFIX.match(postal):
        errors.append(("vendor_postal_code", "must be A1A or NA"))
    code = row.get("economic_object_code")
    if code and code != "NA" and not re.fullmatch(r"\d{3,4}", code):
        errors.append(("economic_object_code", "must be 3 or 4 digits"))
    commodity = row.get("commodity_code")
    if commodity and not re.fullmatch(r"[A-Za-z0-9]{1,8}", commodity):
        errors.append(("commodity_code", "at most 8 letters or digits"))
    if (
        row.get("commodity_type") in ("S", "C")
        and "contract_period_start" in row
        and not row["contract_period_start"]
    ):
        errors.append(("contract_period_start", "required for services and construction"))
    return errors


FORMULA = (
    "starts with =, +, - or @, which a spreadsheet runs as a formula: correct it at its source"
)


def validate(table: Table, rows: Sequence[Mapping[str, str]]) -> list[RowError]:
    """Every problem the portal would refuse the rows for; empty when they may be delivered."""
    problems: list[RowError] = []
    keys: set[tuple[str, ...]] = set()
    columns = set(table.header)
    # Free text that is not required has nothing to check; the rest repeats across rows (codes,
    # dates), so each distinct value of a field is judged once.
    checked = [
        spec
        for spec in table.fields
        if spec.required or spec.choices is not None or spec.type != "text"
    ]
    # The portal must receive the text unchanged, so text a spreadsheet would run is refused
    # (to be corrected at its source) rather than neutralised.
    texts = [spec.id for spec in table.fields if spec.type == "text"]
    judged: dict[tuple[str, str], list[str]] = {}
    for number, row in enumerate(rows, start=1):
        if row.keys() != columns:  # the order is the CSV writer's job
            problems.append(RowError(number, "", "columns differ from the table's"))
            continue
        for spec in checked:
            value = row[spec.id]
            found = judged.get((spec.id, value))
            if found is None:
                found = judged[(spec.id, value)] = _format_errors(spec, value)
            problems += [RowError(number, spec.id, message) for message in found]
        problems += [
            RowError(number, field, FORMULA) for field in texts if runs_as_formula(row[field])
        ]
        problems += [RowError(number, field, message) for field, message in _rule_errors(row)]
        key = tuple(row[name] for name in table.primary_key)
        if key in keys:
            problems.append(RowError(number, ",".join(table.primary_key), "duplicate key"))
        keys.add(key)
    return problems


# A spreadsheet reads UTF-8 without a byte-order mark as the system's code page and garbles
# accented names; the portal's upload accepts the mark.
BOM = "\ufeff"


def to_csv(table: Table, rows: Iterable[Mapping[str, str]]) -> bytes:
    """UTF-8 CSV, with a byte-order mark, and the field ids as the header in the table's order."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=table.header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
