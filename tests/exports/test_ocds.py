"""Open Contracting releases, packages and records of award records, validated against the
official OCDS 1.1 schema (offline, from the copy the bridge ships)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from bridge.exports.formats.ocds import (
    PackageMetadata,
    Publisher,
    compile_record,
    ocid,
    record_package,
    release_package,
    releases,
    validator,
)
from bridge.exports.formats.ocds import _value as ocds_value
from bridge.exports.formats.ocds_models import problems
from bridge.exports.record import AmendmentRecord, AwardRecord, SupplierRecord
from tests.exports.cove import passes, review
from tests.exports.goldens import GOLDEN, assert_golden
from tests.exports.samples import PUBLISHED, SCHEMA_DIR, organization_award

PREFIX = "ocds-gcbrdg"
URI = "https://bridge.example.gc.ca/ocds/release-package.json"
RECORDS_URI = "https://bridge.example.gc.ca/ocds/record-package.json"
META = PackageMetadata(
    URI,
    PUBLISHED,
    Publisher("Treasury Board of Canada Secretariat", "CA-GOV", "TBS", "https://www.canada.ca/"),
    license="https://open.canada.ca/en/open-government-licence-canada",
)


def amended() -> AwardRecord:
    more = AmendmentRecord(1, date(2027, 1, 5), Decimal("800.00"), "Two more pages")
    return replace(organization_award(), amendments=(more,))


def terminated_individual() -> AwardRecord:
    person = SupplierRecord(
        "individual:dev@example.ca", "individual", "Dana Developer", None, "Canada"
    )
    return replace(
        organization_award(),
        opportunity_id="c6cb5a0d-3521-4fb4-bc6a-2b352c7c4dfc",
        supplier=person,
        original_value=Decimal("9500.00"),
        canceled_on=date(2027, 1, 15),
    )


@pytest.fixture(scope="module")
def check() -> Any:
    return validator(SCHEMA_DIR)


def package_of(*records: AwardRecord) -> dict[str, Any]:
    items = [release for record in records for release in releases(record, PREFIX)]
    return release_package(items, META)


def test_every_package_validates_against_the_official_schema(check: Any) -> None:
    assert check(package_of(amended(), terminated_individual())) == []
    records = [
        compile_record(releases(record, PREFIX)) for record in (amended(), terminated_individual())
    ]
    assert check(record_package(records, META)) == []


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
    assert {release["ocid"] for release in releases(amended(), PREFIX)} == {ocid(PREFIX, amended())}
    assert [release["tag"] for release in releases(terminated_individual(), PREFIX)] == [
        ["tender"],
        ["award"],
        ["contract"],
        ["contractTermination"],
    ]


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
    person = SupplierRecord(
        "individual:dana@example.ca", "individual", "Dana Developer", "m5v 2t6", "Canada"
    )
    text = json.dumps(releases(replace(organization_award(), supplier=person), PREFIX))
    assert "dana@example.ca" not in text and "M5V" in text and "2T6" not in text
    ids = {party["id"] for release in json.loads(text) for party in release["parties"]}
    assert any(identifier.startswith("individual-") for identifier in ids)
    with pytest.raises(ValueError, match="aware"):
        release_package([], replace(META, published=datetime(2026, 11, 26)))


def test_the_packages_match_their_golden_files() -> None:
    produced = json.dumps(package_of(amended()), sort_keys=True, indent=2, ensure_ascii=False)
    assert_golden("ocds-release-package.json", produced.encode("utf-8") + b"\n")
    records = [compile_record(releases(amended(), PREFIX), releases_at=URI)]
    produced = json.dumps(
        record_package(records, replace(META, uri=RECORDS_URI)),
        sort_keys=True,
        indent=2,
        ensure_ascii=False,
    )
    assert_golden("ocds-record-package.json", produced.encode("utf-8") + b"\n")


@pytest.mark.parametrize(
    "amount", ["0.01", "9999.99", "10000.10", "12345678901.23", "99999999999.99"]
)
def test_an_amount_is_written_as_a_json_number_with_exactly_its_digits(amount: str) -> None:
    written = json.loads(json.dumps(ocds_value(Decimal(amount))), parse_float=Decimal)
    assert written == {"amount": Decimal(amount), "currency": "CAD"}


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (lambda release: release["tender"].update(title=""), "tender/title", "shorter than 1"),
        (lambda release: release.update(tag=["planning"]), "tag/0", '"planning" is not one of'),
        (lambda release: release.update(note="x"), "", "'note' was unexpected"),
        (
            lambda release: release["tender"]["value"].update(currency="USD"),
            "tender/value/currency",
            '"CAD" was expected',
        ),
        (
            lambda release: release["tender"].update(tenderPeriod={"endDate": "2026-11-10"}),
            "tender/tenderPeriod/endDate",
            "does not match",
        ),
    ],
)
def test_the_typed_models_refuse_what_the_bridge_never_means_to_emit(
    change: Callable[[dict[str, Any]], None], where: str, says: str
) -> None:
    release = copy.deepcopy(releases(organization_award(), PREFIX)[0])
    assert problems(release) == []
    change(release)
    found = problems(release)
    assert any(problem.startswith(f"{where}: ") and says in problem for problem in found), found


@pytest.mark.parametrize(
    ("english", "french", "language"),
    [
        ("Accessible form", "", "en"),  # nobody translated it yet
        ("", "Formulaire accessible", "fr"),  # a French opportunity, not yet translated
        ("Accessible form", "Formulaire accessible", "en"),
    ],
)
def test_releases_speak_the_language_of_their_text_and_omit_what_is_empty(
    english: str, french: str, language: str
) -> None:
    record = replace(
        organization_award(),
        title_en=english,
        title_fr=french,
        description_en=english,
        description_fr=french,
    )
    found = releases(record, PREFIX)
    check = validator(SCHEMA_DIR)
    for release in found:
        assert release["language"] == language
        assert problems(release) == []
    assert check(release_package(found, META)) == []
    assert passes(release_package(found, META))  # no empty field, no additional field
    tender = found[0]["tender"]
    other = "fr" if language == "en" else "en"
    assert tender["title"] == (english if language == "en" else french)
    assert (f"title_{other}" in tender) == bool(english and french)
    buyer = next(party for party in found[0]["parties"] if "buyer" in party["roles"])
    assert buyer[f"name_{other}"] and buyer["name"] != buyer[f"name_{other}"]


@pytest.mark.parametrize("name", ["ocds-release-package.json", "ocds-record-package.json"])
def test_the_golden_packages_pass_the_data_review_tool(name: str) -> None:
    assert passes(json.loads((GOLDEN / name).read_text(encoding="utf-8")))


def test_the_data_review_tool_reports_what_it_should() -> None:
    """The review can fail: an empty title, an unknown field, a code outside its list."""
    package = package_of(terminated_individual())
    assert passes(package)
    tender = package["releases"][0]["tender"]
    tender.update(title="", surprise="x", status="pending")
    found = review(package)
    assert found["additional_checks"]["empty_field"] == [
        {"json_location": "releases/0/tender/title"}
    ]
    assert [field["field_name"] for field in found["all_additional_fields"]] == ["surprise"]
    assert list(found["additional_closed_codelist_values"]) == ["releases/tender/status"]


def test_a_record_links_its_releases_and_compiles_them_with_ocdsmerge() -> None:
    items = releases(amended(), PREFIX)
    record = compile_record(items, releases_at=URI)
    assert record["releases"] == [
        {"url": f"{URI}#{item['id']}", "date": item["date"], "tag": item["tag"]} for item in items
    ]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == f"{record['ocid']}-{items[-1]['date']}"
    # Amendments are merged by id, so the compiled contract holds the one amendment once.
    assert [amendment["id"] for amendment in compiled["contracts"][0]["amendments"]] == [
        f"{amended().opportunity_id}-amendment-1"
    ]
    assert passes(record_package([record], replace(META, uri=RECORDS_URI)))


def test_an_amendment_is_described_in_the_language_of_its_release() -> None:
    french = replace(amended(), title_en="", description_en="")
    [amendment] = releases(french, PREFIX)[-1]["contracts"][0]["amendments"]
    assert amendment["description"] == "Modification de la valeur\u00a0: +800,00\u00a0$"
    assert amendment["description_en"] == "Value change: +$800.00"
