"""Open Contracting Data Standard 1.1: releases, release and record packages of award records.

One contracting process per award, under a stable ``ocid`` (the publisher's registered prefix and
the marketplace opportunity id). Each change is a release with a stable id: the tender, the
award, the contract, each amendment, a termination. French goes in the schema's language
variants (``title_fr``, ``name_fr``). A record compiles the releases of one ocid into the current
state with OCDS's merge rules in their plain form: later values win field by field, and arrays
of objects with ``id`` merge by id.

Amounts are JSON numbers as the schema requires; cents are exact in a double up to far beyond
any contract here, so ``float`` of a two-decimal ``Decimal`` loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from bridge.exports.record import AwardRecord

Release = dict[str, Any]
SCHEMA_FILES = (
    "release-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
    "versioned-release-validation-schema.json",
)


def ocid(prefix: str, record: AwardRecord) -> str:
    return f"{prefix}-{record.opportunity_id}"


def _moment(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount.quantize(Decimal("0.01"))), "currency": "CAD"}


def _parties(record: AwardRecord) -> list[dict[str, Any]]:
    supplier = record.supplier
    address = {
        key: value
        for key, value in (("postalCode", supplier.postal_code), ("countryName", supplier.country))
        if value
    }
    party: dict[str, Any] = {
        "id": supplier.key,
        "name": supplier.legal_name,
        "roles": ["supplier", "tenderer"],
    }
    if address:
        party["address"] = address
    return [
        {
            "id": _buyer_id(record),
            "name": record.department_name_en,
            "name_fr": record.department_name_fr,
            "roles": ["buyer", "procuringEntity"],
        },
        party,
    ]


def _buyer_id(record: AwardRecord) -> str:
    return f"CA-GOV-{record.department_acronym}"


def _texts(record: AwardRecord) -> dict[str, str]:
    return {
        "title": record.title_en,
        "title_fr": record.title_fr,
        "description": record.description_en,
        "description_fr": record.description_fr,
    }


def _base(record: AwardRecord, prefix: str, suffix: str, day: date, tag: str) -> Release:
    process = ocid(prefix, record)
    return {
        "ocid": process,
        "id": f"{process}-{suffix}",
        "date": _moment(day),
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(record),
        "buyer": {"id": _buyer_id(record), "name": record.department_name_en},
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
        "title": record.title_en,
        "title_fr": record.title_fr,
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
    """Every release of the award's contracting process, oldest first."""
    tender_day = record.tender_published or record.proposal_deadline
    tender = _base(record, prefix, "tender", tender_day, "tender")
    tender["tender"] = _tender(record, "active")
    award = _base(record, prefix, "award", record.award_date, "award")
    award["tender"] = {"id": record.opportunity_id, "status": "complete"}
    award["awards"] = [
        {
            "id": f"{record.opportunity_id}-award",
            "title": record.title_en,
            "title_fr": record.title_fr,
            "status": "active",
            "date": _moment(record.award_date),
            "value": _value(record.original_value),
            "suppliers": [{"id": record.supplier.key, "name": record.supplier.legal_name}],
        }
    ]
    contract = _base(record, prefix, "contract", record.award_date, "contract")
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
            record, prefix, f"amendment-{item.number}", item.effective_on, "contractAmendment"
        )
        release["contracts"] = [_contract(record, total, "active", list(amendments))]
        found.append(release)
    if record.canceled_on is not None:
        release = _base(record, prefix, "termination", record.canceled_on, "contractTermination")
        release["contracts"] = [_contract(record, total, "terminated", list(amendments))]
        found.append(release)
    return found


def release_package(
    items: Sequence[Release], *, uri: str, published: datetime, publisher_name: str
) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published.isoformat(),
        "publisher": {"name": publisher_name},
        "releases": list(items),
    }


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
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published.isoformat(),
        "publisher": {"name": publisher_name},
        "records": list(records),
    }


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

    def check(package: dict[str, Any]) -> list[str]:
        name = (
            "record-package-schema.json" if "records" in package else "release-package-schema.json"
        )
        checker = Draft4Validator(schemas[name], registry=registry)
        return sorted(
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in checker.iter_errors(package)
        )

    return check
