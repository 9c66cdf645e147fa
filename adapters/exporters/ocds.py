"""Open Contracting Data Standard 1.1: releases, release and record packages of award records.

One contracting process per award, under a stable ``ocid`` (the publisher's registered prefix and
the marketplace opportunity id). Each change is a release with a stable id: the tender, the
award, the contract, each amendment, a termination. French goes in the schema's language
variants (``title_fr``, ``name_fr``). A record compiles the releases of one ocid into the current
state with OCDS's merge rules in their plain form: later values win field by field, and arrays
of objects with ``id`` merge by id.

Amounts are JSON numbers as the schema requires; cents are exact in a double up to far beyond
any contract here, so ``float`` of a two-decimal ``Decimal`` loses nothing.

Open data carries no personal information: an individual supplier is identified by a digest of
the bridge's key (which holds an e-mail address), and only the first three characters of their
(home) postal code are published, as the proactive disclosure does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from bridge.exports.record import AwardRecord, SupplierRecord

Release = dict[str, Any]
SCHEMA_FILES = (
    "release-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
    "versioned-release-validation-schema.json",
)


# RFC 3339 date-time, which is what the schema's ``date-time`` format means.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def ocid(prefix: str, record: AwardRecord) -> str:
    return f"{prefix}-{record.opportunity_id}"


@lru_cache(maxsize=4096)
def _moment(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _value(amount: Decimal) -> dict[str, Any]:
    """OCDS wants a JSON number. Money is computed in ``Decimal`` to the cent and converted only
    here, for writing: any amount under 10^13 dollars with two decimals comes back from the
    float with the same digits (a double holds 15 significant digits exactly)."""
    return {"amount": float(amount.quantize(Decimal("0.01"))), "currency": "CAD"}


def supplier_id(supplier: SupplierRecord) -> str:
    """The supplier's key, but for an individual (whose key holds an e-mail address) a stable
    digest of it."""
    if supplier.kind == "individual":
        return f"individual-{hashlib.sha256(supplier.key.encode()).hexdigest()[:16]}"
    return supplier.key


def _postal_code(supplier: SupplierRecord) -> str | None:
    if supplier.postal_code is None or supplier.kind == "organization":
        return supplier.postal_code
    return supplier.postal_code.replace(" ", "").upper()[:3] or None


def language_of(record: AwardRecord) -> str:
    """The language of a release's unsuffixed texts: English where the record has English,
    else French (a French opportunity nobody translated yet)."""
    return "en" if record.title_en.strip() else "fr"


def _localized(name: str, record: AwardRecord, english: str, french: str) -> dict[str, str]:
    """``name`` in the release's language and ``name_fr`` or ``name_en`` in the other; a
    language without text is left out (OCDS tools report empty fields)."""
    first = language_of(record)
    other = "fr" if first == "en" else "en"
    texts = {"en": english.strip(), "fr": french.strip()}
    found = {name: texts[first], f"{name}_{other}": texts[other]}
    return {key: text for key, text in found.items() if text}


def _parties(record: AwardRecord) -> list[dict[str, Any]]:
    supplier = record.supplier
    address = {
        key: value
        for key, value in (
            ("postalCode", _postal_code(supplier)),
            ("countryName", supplier.country),
        )
        if value
    }
    party: dict[str, Any] = {
        "id": supplier_id(supplier),
        "name": supplier.legal_name,
        "roles": ["supplier", "tenderer"],
    }
    if address:
        party["address"] = address
    return [
        {
            "id": _buyer_id(record),
            **_localized("name", record, record.department_name_en, record.department_name_fr),
            "roles": ["buyer", "procuringEntity"],
        },
        party,
    ]


def _buyer_id(record: AwardRecord) -> str:
    return f"CA-GOV-{record.department_acronym}"


def _texts(record: AwardRecord) -> dict[str, str]:
    return {
        **_localized("title", record, record.title_en, record.title_fr),
        **_localized("description", record, record.description_en, record.description_fr),
    }


def _base(
    record: AwardRecord,
    prefix: str,
    suffix: str,
    day: date,
    tag: str,
    parties: list[dict[str, Any]] | None = None,
) -> Release:
    process = ocid(prefix, record)
    return {
        "ocid": process,
        "id": f"{process}-{suffix}",
        "date": _moment(day),
        "tag": [tag],
        "initiationType": "tender",
        "language": language_of(record),
        "parties": parties if parties is not None else _parties(record),
        "buyer": {
            "id": _buyer_id(record),
            "name": _localized(
                "name", record, record.department_name_en, record.department_name_fr
            )["name"],
        },
    }


def _tender(record: AwardRecord, status: str) -> dict[str, Any]:
    return {
        "id": record.opportunity_id,
        **_texts(record),
        "status": status,
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "tenderPeriod": {"endDate": _moment(record.proposal_deadline)},
        "numberOfTenderers": record.number_of_bids,
        "value": _value(record.original_value),
    }


def _contract(
    record: AwardRecord, value: Decimal, status: str, amendments: list[dict[str, Any]]
) -> dict[str, Any]:
    contract: dict[str, Any] = {
        "id": f"{record.opportunity_id}-contract",
        "awardID": f"{record.opportunity_id}-award",
        **_localized("title", record, record.title_en, record.title_fr),
        "status": status,
        "value": _value(value),
        "dateSigned": _moment(record.award_date),
    }
    period = {
        key: _moment(day)
        for key, day in (("startDate", record.start_date), ("endDate", record.end_date))
        if day
    }
    if period:
        contract["period"] = period
    if amendments:
        contract["amendments"] = amendments
    return contract


def releases(record: AwardRecord, prefix: str) -> list[Release]:
    """Every release of the award's contracting process, oldest first (they share one list of
    parties: the same two organizations throughout)."""
    parties = _parties(record)
    tender_day = record.tender_published or record.proposal_deadline
    tender = _base(record, prefix, "tender", tender_day, "tender", parties)
    tender["tender"] = _tender(record, "active")
    award = _base(record, prefix, "award", record.award_date, "award", parties)
    award["tender"] = {"id": record.opportunity_id, "status": "complete"}
    award["awards"] = [
        {
            "id": f"{record.opportunity_id}-award",
            **_localized("title", record, record.title_en, record.title_fr),
            "status": "active",
            "date": _moment(record.award_date),
            "value": _value(record.original_value),
            "suppliers": [{"id": supplier_id(record.supplier), "name": record.supplier.legal_name}],
        }
    ]
    contract = _base(record, prefix, "contract", record.award_date, "contract", parties)
    contract["contracts"] = [_contract(record, record.original_value, "active", [])]
    found = [tender, award, contract]
    amendments: list[dict[str, Any]] = []
    total = record.original_value
    for item in record.amendments:
        total += item.value_change
        amendments.append(
            {
                "id": f"{record.opportunity_id}-amendment-{item.number}",
                "date": _moment(item.effective_on),
                "description": f"Value change: {item.value_change} CAD",
                "rationale": item.reason,
            }
        )
        release = _base(
            record,
            prefix,
            f"amendment-{item.number}",
            item.effective_on,
            "contractAmendment",
            parties,
        )
        release["contracts"] = [_contract(record, total, "active", list(amendments))]
        found.append(release)
    if record.canceled_on is not None:
        release = _base(
            record, prefix, "termination", record.canceled_on, "contractTermination", parties
        )
        release["contracts"] = [_contract(record, total, "terminated", list(amendments))]
        found.append(release)
    return found


def _timestamp(moment: datetime) -> str:
    """An aware moment in UTC; a naive one would be ambiguous, so it is refused."""
    if moment.utcoffset() is None:
        raise ValueError("the published date must be an aware datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _package(contents: str, items: Sequence[dict[str, Any]], uri: str, published: datetime,
             publisher_name: str) -> dict[str, Any]:  # fmt: skip
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _timestamp(published),
        "publisher": {"name": publisher_name},
        contents: list(items),
    }


def release_package(
    items: Sequence[Release], *, uri: str, published: datetime, publisher_name: str
) -> dict[str, Any]:
    return _package("releases", items, uri, published, publisher_name)


# Compiling --------------------------------------------------------------------------------


def _merge(earlier: Any, later: Any) -> Any:
    if isinstance(earlier, dict) and isinstance(later, dict):
        merged = dict(earlier)
        for key, value in later.items():
            merged[key] = _merge(earlier[key], value) if key in earlier else value
        return merged
    if (
        isinstance(earlier, list)
        and isinstance(later, list)
        and all(isinstance(item, dict) and "id" in item for item in earlier + later)
    ):
        by_id = {item["id"]: item for item in earlier}
        for item in later:
            by_id[item["id"]] = _merge(by_id[item["id"]], item) if item["id"] in by_id else item
        return list(by_id.values())
    return later


def compile_record(items: Sequence[Release]) -> dict[str, Any]:
    """The record of one ocid: its releases and the compiled current state."""
    ordered = sorted(enumerate(items), key=lambda pair: (pair[1]["date"], pair[0]))
    compiled: dict[str, Any] = {}
    for _, release in ordered:
        compiled = _merge(
            compiled,
            {key: value for key, value in release.items() if key not in ("id", "date", "tag")},
        )
    last = ordered[-1][1]
    compiled.update(id=f"{last['ocid']}-compiled", date=last["date"], tag=["compiled"])
    return {"ocid": last["ocid"], "releases": list(items), "compiledRelease": compiled}


def record_package(
    records: Sequence[dict[str, Any]], *, uri: str, published: datetime, publisher_name: str
) -> dict[str, Any]:
    return _package("records", records, uri, published, publisher_name)


# Validation -------------------------------------------------------------------------------


def validator(schema_dir: Path) -> Callable[[dict[str, Any]], list[str]]:
    """Validate release or record packages against the schema files in ``schema_dir``.

    The package schemas refer to the release schema by its published URL; the registry serves
    every such URL from the local copies, so validation never reaches the network.
    """
    schemas = {
        name: json.loads((schema_dir / name).read_text(encoding="utf-8")) for name in SCHEMA_FILES
    }
    registry: Registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in schemas.values()
    )

    formats = _formats()

    def check(package: dict[str, Any]) -> list[str]:
        name = (
            "record-package-schema.json" if "records" in package else "release-package-schema.json"
        )
        checker = Draft4Validator(schemas[name], registry=registry, format_checker=formats)
        return sorted(
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in checker.iter_errors(package)
        )

    return check


def _formats() -> FormatChecker:
    """The schema's ``date-time`` and ``uri`` formats, checked with the standard library:
    jsonschema checks them only when optional packages are installed, and silently skips them
    otherwise."""
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            return bool(DATE_TIME.match(value)) and bool(datetime.fromisoformat(value))
        except ValueError:
            return False

    @checker.checks("uri")
    def uri(value: object) -> bool:
        return not isinstance(value, str) or URI.match(value) is not None

    return checker
