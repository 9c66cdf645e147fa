"""Proactive disclosure: award records built from the real fixtures, rows in the portal's exact
schema (golden files), the threshold between the individual and aggregate reports, and the
validation that keeps a row the portal would refuse from leaving the bridge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bridge.exports.build import NotExportable, build_record
from bridge.exports.formats.disclosure import (
    AGGREGATE_TABLE,
    INDIVIDUAL_TABLE,
    aggregate_rows,
    country_code,
    individual_rows,
    load_table,
    postal_prefix,
    reporting_period,
    to_csv,
    validate,
)
from bridge.exports.record import AmendmentRecord, AwardRecord
from bridge.marketplace.client import MarketplaceClient
from tests.exports.goldens import assert_golden
from tests.exports.samples import AWARDED_FRENCH, OTTAWA, author_at_tbs, synced_record
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED
from tests.seeding import first_sync_judged


@pytest.mark.usefixtures("mocked")
def test_an_award_over_10k_is_disclosed_individually_exactly_as_the_portal_expects(
    fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    record = synced_record(fake, client, sessions, amendments=(Decimal("1500.00"),))
    assert record.department_acronym == "TBS" and record.title_fr == AWARDED_FRENCH["title"]
    assert record.supplier.legal_name == "Vendor One Ltd." and record.number_of_bids == 2
    table = load_table(INDIVIDUAL_TABLE)
    rows = individual_rows(record)
    assert validate(table, rows) == []
    assert [row["instrument_type"] for row in rows] == ["C", "A"]
    assert rows[1]["contract_value"] == "31500.00" and rows[1]["amendment_value"] == "1500.00"
    assert rows[0]["vendor_postal_code"] == "V8W" and rows[0]["country_of_vendor"] == "CA"
    produced = to_csv(table, rows)
    assert produced.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for spreadsheets
    assert produced.splitlines()[0].decode("utf-8-sig") == ",".join(table.header)
    assert_golden("disclosure-individual.csv", produced)
    assert to_csv(table, individual_rows(record)) == produced  # regenerated identically


@pytest.mark.usefixtures("mocked")
def test_at_or_under_10k_it_goes_to_the_aggregate_until_an_amendment_takes_it_over(
    fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    record = synced_record(
        fake, client, sessions, reward=8000, amendments=(Decimal("1000.00"), Decimal("2500.00"))
    )
    rows = individual_rows(record)
    # 8,000 then 9,000 stay in the aggregate; the second amendment (11,500) is disclosed.
    assert [(row["instrument_type"], row["contract_value"]) for row in rows] == [("A", "11500.00")]
    assert rows[0]["reporting_period"] == "2026-2027-Q4"
    aggregate = load_table(AGGREGATE_TABLE)
    [this_year] = aggregate_rows([record], 2026)
    [next_year] = aggregate_rows([record], 2027)
    assert (
        this_year["contract_service_number_of"],
        this_year["contracts_service_original_value"],
        this_year["contracts_service_amendment_value"],
    ) == ("1", "8000.00", "0.00")
    assert next_year["contracts_service_amendment_value"] == "1000.00"
    assert validate(aggregate, [this_year, next_year]) == []
    assert_golden("disclosure-aggregate.csv", to_csv(aggregate, [this_year]))


@pytest.mark.usefixtures("mocked")
def test_an_award_without_a_department_has_no_record_yet(
    client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    first_sync_judged(client, sessions)
    with sessions() as session, pytest.raises(NotExportable, match="no department"):
        build_record(session, AWARDED, OTTAWA)


def a_record() -> AwardRecord:
    from tests.exports.samples import organization_award

    return organization_award()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contract_date": "2026/11/20"}, "contract_date"),
        ({"contract_value": "31500"}, "contract_value"),
        ({"commodity_type": "X"}, "commodity_type"),
        ({"trade_agreement": "XX,CA"}, "trade_agreement"),
        ({"trade_agreement": "CA"}, "limited_tendering_reason"),
        ({"solicitation_procedure": "TN"}, "number_of_bids"),
        ({"vendor_postal_code": "V8"}, "vendor_postal_code"),
        ({"economic_object_code": "47"}, "economic_object_code"),
        ({"reference_number": ""}, "reference_number"),
        ({"vendor_name": '=HYPERLINK("https://evil.example","Vendor One")'}, "vendor_name"),
        ({"description_en": "+cmd|' /C calc'!A0"}, "description_en"),
        ({"vendor_name": "@SUM(1+1)*cmd"}, "vendor_name"),
    ],
)
def test_a_row_the_portal_would_refuse_is_caught(change: dict[str, str], field: str) -> None:
    table = load_table(INDIVIDUAL_TABLE)
    [row] = individual_rows(a_record())
    assert validate(table, [row]) == []
    problems = validate(table, [{**row, **change}])
    assert field in {problem.field for problem in problems}, problems


def test_duplicate_keys_and_missing_columns_are_caught() -> None:
    table = load_table(INDIVIDUAL_TABLE)
    [row] = individual_rows(a_record())
    assert {problem.message for problem in validate(table, [row, row])} == {"duplicate key"}
    shuffled = dict(reversed(list(row.items())))  # rows stored as JSON lose their order
    assert validate(table, [shuffled]) == []
    assert to_csv(table, [shuffled]) == to_csv(table, [row])  # the CSV puts it back
    del shuffled["land_claims"]
    assert validate(table, [shuffled])[0].message == "columns differ from the table's"


def test_the_coded_helpers() -> None:
    table = load_table(INDIVIDUAL_TABLE)
    assert reporting_period(date(2026, 4, 1)) == "2026-2027-Q1"
    assert reporting_period(date(2027, 3, 31)) == "2026-2027-Q4"
    assert reporting_period(date(2026, 11, 20)) == "2026-2027-Q3"
    assert country_code("Canada", table) == "CA" and country_code("Nowhere", table) == ""
    assert postal_prefix("k1a 0b1", "CA") == "K1A" and postal_prefix("90210", "US") == "NA"
    less = AmendmentRecord(1, date(2027, 1, 5), Decimal("-25000.00"), "Less work")
    record = replace(a_record(), amendments=(less,))
    # A negative amendment that brings it under the threshold is still disclosed: the contract
    # went over once, so it stays in the individual report.
    assert [row["contract_value"] for row in individual_rows(record)] == ["30000.00", "5000.00"]


@pytest.mark.usefixtures("mocked")
def test_a_title_its_author_wrote_in_both_languages_is_exported_in_each(
    fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session]
) -> None:
    english = "Bilingual content management fixes"
    french = "Correctifs du système de gestion de contenu bilingue"
    fake.opportunities["code-with-us"][AWARDED]["title"] = f"{english} / {french}"
    author_at_tbs(fake)
    first_sync_judged(client, sessions)
    with sessions() as session:
        record = build_record(session, AWARDED, OTTAWA)
    assert (record.title_en, record.title_fr) == (english, french)
