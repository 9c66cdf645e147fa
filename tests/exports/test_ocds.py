"""Open Contracting releases, packages and records of award records, validated against the
official OCDS 1.1 schema (offline, from the copy the bridge ships)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.exporters.ocds import _value as ocds_value
from adapters.exporters.ocds import (
    compile_record,
    ocid,
    record_package,
    release_package,
    releases,
    validator,
)
from adapters.exporters.ocds_models import problems
from bridge.exports.record import AmendmentRecord, AwardRecord, SupplierRecord
from bridge.settings import OCDS_SCHEMA_DIR
from tests.exports.goldens import assert_golden
from tests.exports.samples import organization_award

SCHEMA_DIR = OCDS_SCHEMA_DIR
PREFIX = "ocds-gcbrdg"
PUBLISHED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
URI = "https://bridge.example.gc.ca/ocds/2026-11-26.json"


def amended() -> AwardRecord:
    more = AmendmentRecord(1, date(2027, 1, 5), Decimal("800.00"), "Two more pages")
    return replace(organization_award(), amendments=(more,))


def terminated_individual() -> AwardRecord:
    person = SupplierRecord("individual:dev@example.ca", "individual", "Dana Developer",
                            None, "Canada")  # fmt: skip
    return replace(organization_award(), opportunity_id="c6cb5a0d-3521-4fb4-bc6a-2b352c7c4dfc",
                   supplier=person, original_value=Decimal("9500.00"),
                   canceled_on=date(2027, 1, 15))  # fmt: skip


@pytest.fixture(scope="module")
def check() -> Any:
    return validator(SCHEMA_DIR)


def package_of(*records: AwardRecord) -> dict[str, Any]:
    items = [release for record in records for release in releases(record, PREFIX)]
    return release_package(items, uri=URI, published=PUBLISHED, publisher_name="TBS")


def test_every_package_validates_against_the_official_schema(check: Any) -> None:
    assert check(package_of(amended(), terminated_individual())) == []
    records = [compile_record(releases(record, PREFIX))
               for record in (amended(), terminated_individual())]  # fmt: skip
    assert check(record_package(records, uri=URI, published=PUBLISHED,
                                publisher_name="TBS")) == []  # fmt: skip


@pytest.mark.parametrize("breaking", ["no ocid", "bad tag", "amount as text", "date only"])
def test_the_validator_refuses_what_the_schema_refuses(check: Any, breaking: str) -> None:
    package = package_of(amended())
    release = package["releases"][0]
    if breaking == "no ocid":
        del release["ocid"]
    elif breaking == "bad tag":
        release["tag"] = ["signed"]
    elif breaking == "date only":
        release["date"] = "2026-10-01"  # the date-time format, checked without extra packages
    else:
        release["tender"]["value"]["amount"] = "30000.00"
    assert check(package) != []


def test_releases_are_stable_and_their_ids_unique() -> None:
    first = json.dumps(package_of(amended()), sort_keys=True)
    assert first == json.dumps(package_of(amended()), sort_keys=True)
    ids = [release["id"] for release in releases(amended(), PREFIX)]
    assert len(ids) == len(set(ids)) == 4
    assert {release["ocid"] for release in releases(amended(), PREFIX)} == {
        ocid(PREFIX, amended())}  # fmt: skip
    assert [release["tag"] for release in releases(terminated_individual(), PREFIX)] == [
        ["tender"], ["award"], ["contract"], ["contractTermination"]]  # fmt: skip


def test_the_compiled_record_holds_the_current_state_in_both_languages() -> None:
    compiled = compile_record(releases(amended(), PREFIX))["compiledRelease"]
    [contract] = compiled["contracts"]
    assert contract["value"] == {"amount": 30800.0, "currency": "CAD"}
    assert contract["amendments"][0]["rationale"] == "Two more pages"
    assert compiled["tender"]["title_fr"].startswith("Formulaire accessible")
    assert compiled["tender"]["status"] == "complete"  # the award release closed it
    buyer = next(party for party in compiled["parties"] if "buyer" in party["roles"])
    assert buyer["name_fr"] == "Secrétariat du Conseil du Trésor du Canada"
    ended = compile_record(releases(terminated_individual(), PREFIX))["compiledRelease"]
    assert ended["contracts"][0]["status"] == "terminated"
    supplier = next(party for party in ended["parties"] if "supplier" in party["roles"])
    assert supplier["address"] == {"countryName": "Canada"}


def test_open_data_carries_no_personal_information() -> None:
    person = SupplierRecord("individual:dana@example.ca", "individual", "Dana Developer",
                            "m5v 2t6", "Canada")  # fmt: skip
    text = json.dumps(releases(replace(organization_award(), supplier=person), PREFIX))
    assert "dana@example.ca" not in text and "M5V" in text and "2T6" not in text
    ids = {party["id"] for release in json.loads(text) for party in release["parties"]}
    assert any(identifier.startswith("individual-") for identifier in ids)
    with pytest.raises(ValueError, match="aware"):
        release_package([], uri=URI, published=datetime(2026, 11, 26), publisher_name="TBS")


def test_the_release_package_matches_its_golden_file() -> None:
    produced = json.dumps(package_of(amended()), sort_keys=True, indent=2, ensure_ascii=False)
    assert_golden("ocds-release-package.json", produced.encode("utf-8") + b"\n")


@pytest.mark.parametrize(
    "amount", ["0.01", "9999.99", "10000.10", "12345678901.23", "99999999999.99"]
)
def test_an_amount_is_written_as_a_json_number_with_exactly_its_digits(amount: str) -> None:
    written = json.loads(json.dumps(ocds_value(Decimal(amount))), parse_float=Decimal)
    assert written == {"amount": Decimal(amount), "currency": "CAD"}


def _empty_fields(value: Any, path: str = "") -> list[str]:
    """Every empty string, object or array in a release (the Data Review Tool's empty_field)."""
    if isinstance(value, dict):
        found = [path] if not value else []
        return found + [item for key, inner in value.items()
                        for item in _empty_fields(inner, f"{path}/{key}")]  # fmt: skip
    if isinstance(value, list):
        found = [path] if not value else []
        return found + [item for index, inner in enumerate(value)
                        for item in _empty_fields(inner, f"{path}/{index}")]  # fmt: skip
    return [path] if value == "" else []


@pytest.mark.parametrize(("english", "french", "language"), [
    ("Accessible form", "", "en"),  # nobody translated it yet
    ("", "Formulaire accessible", "fr"),  # a French opportunity, not yet translated
    ("Accessible form", "Formulaire accessible", "en"),
])  # fmt: skip
def test_releases_speak_the_language_of_their_text_and_omit_what_is_empty(
    english: str, french: str, language: str
) -> None:
    record = replace(organization_award(), title_en=english, title_fr=french,
                     description_en=english, description_fr=french)  # fmt: skip
    found = releases(record, PREFIX)
    check = validator(SCHEMA_DIR)
    for release in found:
        assert release["language"] == language
        assert _empty_fields(release) == [], release["id"]
        assert problems(release) == []
    assert check(release_package(found, uri="urn:test", published=PUBLISHED,
                                 publisher_name="TBS")) == []  # fmt: skip
    tender = found[0]["tender"]
    other = "fr" if language == "en" else "en"
    assert tender["title"] == (english if language == "en" else french)
    assert (f"title_{other}" in tender) == bool(english and french)
    buyer = next(party for party in found[0]["parties"] if "buyer" in party["roles"])
    assert buyer[f"name_{other}"] and buyer["name"] != buyer[f"name_{other}"]
