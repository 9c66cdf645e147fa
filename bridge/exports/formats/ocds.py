"""Open Contracting Data Standard 1.1: releases, release and record packages of award records.

One contracting process per award, under a stable ``ocid`` (the publisher's registered prefix and
the marketplace opportunity id). Each change is a release with a stable id: the tender, the
award, the contract, each amendment, a termination. French goes in the schema's language
variants (``title_fr``, ``name_fr``). A record compiles the releases of one ocid into the current
state and a versioned release with ``ocdsmerge``, the standard's reference implementation of
its merge rules, read from the shipped release schema.

Amounts are JSON numbers as the schema requires; cents are exact in a double up to far beyond
any contract here, so ``float`` of a two-decimal ``Decimal`` loses nothing.

Open data carries no personal information: an individual supplier is identified by a digest of
the bridge's key (which holds an e-mail address), and only the first three characters of their
(home) postal code are published, as the proactive disclosure does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import ocdsmerge
from babel.numbers import format_currency

from bridge.catalogs import LANGUAGES
from bridge.exports.record import AwardRecord, SupplierRecord
from bridge.notifications.messages import BABEL_LOCALES, N_, Bilingual
from bridge.settings import OCDS_SCHEMA_DIR

Release = dict[str, Any]
SCHEMA_FILES = (
    "release-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
    "versioned-release-validation-schema.json",
)


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


@lru_cache(maxsize=8192)
def _variants(name: str, first: str, english: str, french: str) -> dict[str, str]:
    """``name`` in the release's language and ``name_fr`` or ``name_en`` in the other; a
    language without text is left out (OCDS tools report empty fields). The same few texts (a
    department's name, a title) recur in every release of a process: worked out once. Callers
    copy the answer (``**``) or read it, never change it."""
    other = "fr" if first == "en" else "en"
    texts = {"en": english.strip(), "fr": french.strip()}
    found = {name: texts[first], f"{name}_{other}": texts[other]}
    return {key: text for key, text in found.items() if text}


@dataclass(frozen=True)
class _Process:
    """What every release of one award's contracting process shares, worked out once: an
    export builds tens of thousands of releases, and these were most of their cost."""

    record: AwardRecord
    ocid: str
    language: str
    title: dict[str, str]
    buyer: dict[str, Any]
    parties: list[dict[str, Any]]

    @classmethod
    def of(cls, record: AwardRecord, prefix: str) -> _Process:
        language = language_of(record)
        names = _variants("name", language, record.department_name_en, record.department_name_fr)
        buyer_id = f"CA-GOV-{record.department_acronym}"
        buyer = {"id": buyer_id, **names, "roles": ["buyer", "procuringEntity"]}
        return cls(
            record=record,
            ocid=ocid(prefix, record),
            language=language,
            title=_variants("title", language, record.title_en, record.title_fr),
            buyer={"id": buyer_id, "name": names["name"]},
            parties=[buyer, _supplier_party(record.supplier)],
        )

    def localized(self, name: str, english: str, french: str) -> dict[str, str]:
        return _variants(name, self.language, english, french)

    def release(self, suffix: str, day: date, tag: str) -> Release:
        """A release's common head; the parties are one list for the whole process (the same
        two organizations throughout)."""
        return {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{suffix}",
            "date": _moment(day),
            "tag": [tag],
            "initiationType": "tender",
            "language": self.language,
            "parties": self.parties,
            "buyer": self.buyer,
        }


def _supplier_party(supplier: SupplierRecord) -> dict[str, Any]:
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
    return party


@lru_cache(maxsize=1024)
def _value_change(change: Decimal) -> Bilingual:
    """The words for a change of value, once per amount (formatting money in two locales costs
    more than the rest of a release). Open-data readers of a French release read it in
    French."""
    sign = "+" if change > 0 else ""
    amount = Bilingual(
        *(
            sign + format_currency(change, "CAD", locale=BABEL_LOCALES[language])
            for language in LANGUAGES
        )
    )
    return Bilingual.message(N_("Value change: %(amount)s"), amount=amount)


def _tender(process: _Process, status: str) -> dict[str, Any]:
    record = process.record
    return {
        "id": record.opportunity_id,
        **process.title,
        **process.localized("description", record.description_en, record.description_fr),
        "status": status,
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "tenderPeriod": {"endDate": _moment(record.proposal_deadline)},
        "numberOfTenderers": record.number_of_bids,
        "value": _value(record.original_value),
    }


def _contract(
    process: _Process, value: Decimal, status: str, amendments: list[dict[str, Any]]
) -> dict[str, Any]:
    record = process.record
    contract: dict[str, Any] = {
        "id": f"{record.opportunity_id}-contract",
        "awardID": f"{record.opportunity_id}-award",
        **process.title,
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
    process = _Process.of(record, prefix)
    tender = process.release(
        "tender", record.tender_published or record.proposal_deadline, "tender"
    )
    tender["tender"] = _tender(process, "active")
    award = process.release("award", record.award_date, "award")
    award["tender"] = {"id": record.opportunity_id, "status": "complete"}
    award["awards"] = [
        {
            "id": f"{record.opportunity_id}-award",
            **process.title,
            "status": "active",
            "date": _moment(record.award_date),
            "value": _value(record.original_value),
            "suppliers": [{"id": supplier_id(record.supplier), "name": record.supplier.legal_name}],
        }
    ]
    contract = process.release("contract", record.award_date, "contract")
    contract["contracts"] = [_contract(process, record.original_value, "active", [])]
    found = [tender, award, contract]
    amendments: list[dict[str, Any]] = []
    total = record.original_value
    for item in record.amendments:
        total += item.value_change
        words = _value_change(item.value_change)
        amendments.append(
            {
                "id": f"{record.opportunity_id}-amendment-{item.number}",
                "date": _moment(item.effective_on),
                **process.localized("description", words.en, words.fr),
                "rationale": item.reason,
            }
        )
        release = process.release(
            f"amendment-{item.number}", item.effective_on, "contractAmendment"
        )
        release["contracts"] = [_contract(process, total, "active", list(amendments))]
        found.append(release)
    if record.canceled_on is not None:
        release = process.release("termination", record.canceled_on, "contractTermination")
        release["contracts"] = [_contract(process, total, "terminated", list(amendments))]
        found.append(release)
    return found


def _timestamp(moment: datetime) -> str:
    """An aware moment in UTC; a naive one would be ambiguous, so it is refused."""
    if moment.utcoffset() is None:
        raise ValueError("the published date must be an aware datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Publisher:
    """Who publishes, as the package's ``publisher`` block says it: a name, and where one is
    registered, the organization identifier scheme and id (``CA-GOV`` and a department, say)."""

    name: str
    scheme: str = ""
    uid: str = ""
    uri: str = ""

    def as_block(self) -> dict[str, str]:
        fields = {"name": self.name, "scheme": self.scheme, "uid": self.uid, "uri": self.uri}
        return {key: value for key, value in fields.items() if value}


@dataclass(frozen=True)
class PackageMetadata:
    """What the OCDS publication guidance asks of every package: a stable URI where the
    package is found, the moment its data was last changed (so the same data gives the same
    bytes), the publisher, and the licence and publication policy where they are set."""

    uri: str
    published: datetime
    publisher: Publisher
    license: str = ""
    publication_policy: str = ""


def _package(
    contents: str, items: Sequence[dict[str, Any]], meta: PackageMetadata
) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": meta.uri,
        "version": "1.1",
        "publishedDate": _timestamp(meta.published),
        "publisher": meta.publisher.as_block(),
    }
    if meta.license:
        package["license"] = meta.license
    if meta.publication_policy:
        package["publicationPolicy"] = meta.publication_policy
    package[contents] = list(items)
    return package


def release_package(items: Sequence[Release], meta: PackageMetadata) -> dict[str, Any]:
    return _package("releases", items, meta)


# Compiling --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _merger(schema_dir: Path) -> ocdsmerge.Merger:
    """The reference implementation of OCDS merging, with the merge rules of the shipped
    release schema (ocdsmerge would otherwise download the schema)."""
    schema = json.loads((schema_dir / "release-schema.json").read_text(encoding="utf-8"))
    return ocdsmerge.Merger(schema=schema)


def compile_record(
    items: Sequence[Release], schema_dir: Path = OCDS_SCHEMA_DIR, releases_at: str = ""
) -> dict[str, Any]:
    """The record of one ocid: its releases and the compiled current state.

    With ``releases_at`` (the URI of the release package that holds them) the releases are
    linked (``url``, ``date``, ``tag``) rather than copied, as the standard recommends when the
    release package is published beside the record package. No versioned release: ocdsmerge
    versions the language variants (``title_fr``) too, which the official versioned-release
    schema refuses.
    """
    ordered = sorted(items, key=lambda release: release["date"])
    linked: list[dict[str, Any]] = (
        [
            {"url": f"{releases_at}#{item['id']}", "date": item["date"], "tag": item["tag"]}
            for item in items
        ]
        if releases_at
        else list(items)
    )
    return {
        "ocid": ordered[-1]["ocid"],
        "releases": linked,
        "compiledRelease": _merger(schema_dir).create_compiled_release(ordered),
    }


def record_package(records: Sequence[dict[str, Any]], meta: PackageMetadata) -> dict[str, Any]:
    return _package("records", records, meta)


# Validation -------------------------------------------------------------------------------


def validator(schema_dir: Path) -> Callable[[dict[str, Any]], list[str]]:
    """Validate release or record packages against the schema files in ``schema_dir``.

    The package schemas refer to the release schema by its published URL; the registry serves
    every such URL from the local copies, so validation never reaches the network. The
    validator is compiled Rust (jsonschema-rs): the official schema on every export costs
    about what writing the files does, where the pure-Python validator cost a hundred times
    more. Formats (``date-time``, ``uri``) are checked too.
    """
    schemas = {
        name: json.loads((schema_dir / name).read_text(encoding="utf-8")) for name in SCHEMA_FILES
    }
    registry = jsonschema_rs.Registry(
        [(schema["id"], schema) for schema in schemas.values()], draft=jsonschema_rs.Draft4
    )
    checkers = {
        name: jsonschema_rs.Draft4Validator(
            schemas[name], registry=registry, validate_formats=True, offline=True
        )
        for name in ("record-package-schema.json", "release-package-schema.json")
    }

    def check(package: dict[str, Any]) -> list[str]:
        name = (
            "record-package-schema.json" if "records" in package else "release-package-schema.json"
        )
        return sorted(
            f"{'/'.join(map(str, error.instance_path))}: {error.message}"
            for error in checkers[name].iter_errors(package)
        )

    return check
