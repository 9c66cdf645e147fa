"""The outcome figures from a world whose answers are known by hand: stage durations (calendar
and working days), their medians and 90th percentiles, the stuck list, reach by province and
the National Capital Region, first-time suppliers, proposals per opportunity, and the early
warnings on a stopped clock."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bridge.outcomes.periods import UnknownPeriod, parse_period
from bridge.outcomes.reach import in_capital_region, province_of
from bridge.outcomes.report import outcomes
from bridge.outcomes.statistics import percentile
from bridge.settings import load_settings
from tests.cli import run
from tests.outcomes.world import NOW, build_world

SETTINGS = load_settings({})


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> dict[str, str]:
    return build_world(sessions)


@pytest.mark.parametrize(("share", "expected"), [(0.5, 2.5), (0.9, 3.7), (0.0, 1.0), (1.0, 4.0)])
def test_percentiles_interpolate_between_ranks_like_a_spreadsheet(
    share: float, expected: float
) -> None:
    assert percentile([4, 1], share) == pytest.approx(expected if share else 1.0)
    assert percentile([], share) is None


def test_periods_are_years_months_and_fiscal_quarters() -> None:
    assert parse_period("2026-2027-Q3").start == date(2026, 10, 1)
    assert parse_period("2026-2027-Q4").end == date(2027, 4, 1)
    assert parse_period("2026-02").end == date(2026, 3, 1)
    for wrong in ("2026-13", "2026-2028", "Q3", "last quarter"):
        with pytest.raises(UnknownPeriod):
            parse_period(wrong)


@pytest.mark.parametrize(
    ("code", "province", "capital"),
    [
        ("K1A 0B1", "ON", True),
        ("k2p1l4", "ON", True),
        ("K7L 3N6", "ON", False),
        ("J8X 4H4", "QC", True),
        ("H2X 1Y4", "QC", False),
        ("X1A 2L9", "NT/NU", False),
        ("V6B", "unknown", False),
        (None, "unknown", False),
        ("90210", "unknown", False),
    ],
)
def test_a_postal_code_places_its_supplier(code: str | None, province: str, capital: bool) -> None:
    assert province_of(code) == province and in_capital_region(code) is capital


def figures(sessions: sessionmaker[Session], period: str, **filters: Any) -> dict[str, Any]:
    with sessions() as session:
        report = outcomes(session, SETTINGS, parse_period(period), NOW, **filters)
        return report.as_dict()


def test_stage_durations_with_their_medians_and_90th_percentiles(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    found = figures(sessions, "2026-2027-Q3", department="tbs")
    days, working = found["cycle_time_days"], found["cycle_time_working_days"]
    # Drafting: A 1 day (Thu→Fri), B 4 days (Mon→Fri).
    assert days["drafting"] == {"count": 2, "median": 2.5, "p90": 3.7}
    assert working["drafting"] == {"count": 2, "median": 2.5, "p90": 3.7}
    # Review: A 2 Oct (Fri) → 6 Oct (Tue) = 4 days, 2 working; B 9 → 13 Oct = 4 days, 2 working.
    assert days["review"] == {"count": 2, "median": 4.0, "p90": 4.0}
    assert working["review"] == {"count": 2, "median": 2.0, "p90": 2.0}
    # A's steps: opened Fri 2 Oct → Mon 5 Oct (3 days, 1 working), → Tue 6 Oct (1, 1);
    # B's one step: Fri 9 → Tue 13 Oct (4 days, 2 working; Monday the 12th counts).
    assert days["approval_step_1"] == {"count": 2, "median": 3.5, "p90": 3.9}
    assert days["approval_step_2"] == {"count": 1, "median": 1.0, "p90": 1.0}
    # Open for proposals: A and B 14 days, D 50 days (canceled after its deadline).
    assert days["open"] == {"count": 3, "median": 14.0, "p90": 42.8}
    # Evaluation: A 21 → 23 Oct (2), B 28 Oct → 2 Nov (5).
    assert days["evaluation"] == {"count": 2, "median": 3.5, "p90": 4.7}
    assert days["contracting"] == {"count": 1, "median": 3.0, "p90": 3.0}
    assert days["delivery"] == {"count": 1, "median": 14.0, "p90": 14.0}
    # Paid on 16 November: noon in Ottawa, from 10:00 on the 9th.
    assert days["payment"]["count"] == 1 and days["payment"]["median"] == pytest.approx(7.1)
    assert days["need_to_award"] == {"count": 2, "median": 25.0, "p90": 27.4}
    assert list(days)[:4] == ["drafting", "review", "approval_step_1", "approval_step_2"]


def test_what_is_stuck_oldest_first_and_what_is_not(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    stuck = figures(sessions, "2026")["stuck"]
    # E (awarded 25 Sep) and B (awarded 2 Nov) wait for a contract; A is paid, C is open,
    # D canceled.
    assert [(item["opportunity_id"], item["waiting_after"]) for item in stuck] == [
        (world["e"], "awarded"),
        (world["b"], "awarded"),
    ]
    assert stuck[1]["days"] == 18 and stuck[1]["department"] == "TBS"


def test_reach_by_province_and_capital_region_and_first_time_suppliers(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    autumn = figures(sessions, "2026-2027-Q3")["reach"]
    # A to Halifax (taxes in: 9,040.00) and B to Ottawa (5,000.00) in Q3; E was in September.
    assert autumn["by_province"] == {
        "NS": {"awards": 1, "value": "9040.00"},
        "ON": {"awards": 1, "value": "5000.00"},
    }
    assert autumn["national_capital_region"] == {"awards": 1, "value": "5000.00"}
    assert autumn["outside_national_capital_region"] == {"awards": 1, "value": "9040.00"}
    assert (autumn["organizations"], autumn["individuals"]) == (2, 0)
    # Ottawa Code won in September already: Halifax Dev is the one first-time supplier.
    assert (autumn["unique_suppliers"], autumn["first_time_suppliers"]) == (2, 1)
    # Deadlines in Q3: A (3 bids), B (0), D (0, canceled after its deadline).
    assert autumn["opportunities_closed"] == 3
    assert autumn["opportunities_without_proposal"] == 2
    assert autumn["proposals_per_opportunity"] == {"median": 0.0}
    esdc = figures(sessions, "2026", department="ESDC")["reach"]
    assert esdc["by_province"] == {"ON": {"awards": 1, "value": "2000.00"}}
    assert esdc["first_time_suppliers"] == 1


def test_early_warnings_on_a_stopped_clock(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    warned = figures(sessions, "2026")["warnings"]
    kinds = {(item["kind"], item["opportunity_id"]) for item in warned}
    assert ("closing_without_proposal", world["c"]) in kinds
    # B: awarded Mon 2 Nov; by Fri 20 Nov, 14 working days without a contract.
    assert ("award_without_contract", world["b"]) in kinds
    b = next(item for item in warned if item["opportunity_id"] == world["b"])
    assert b["days"] == 14 and b["since"] == "2026-11-02"
    # The contract's second requisition is paid; its first was due on 25 Nov and is paid too.
    assert not any(item["kind"].startswith("payment") for item in warned)


def test_the_command_line_prints_the_same_figures_as_json(
    world: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    tmp_path: Any,
    frozen_clock: Any,
) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(tmp_path))
    frozen_clock.move_to(NOW)
    code, printed, _ = run("outcomes", "--json", "--period", "2026-2027-Q3", "--department", "TBS")
    assert code == 0
    document = json.loads(printed)
    assert document["period"] == "2026-2027-Q3" and document["department"] == "TBS"
    assert document["cycle_time_days"]["drafting"] == {"count": 2, "median": 2.5, "p90": 3.7}
    assert document["reach"]["by_province"]["NS"] == {"awards": 1, "value": "9040.00"}
    assert run("outcomes", "--period", "last quarter")[0] != 0
    assert run("outcomes", "--department", "NOPE")[0] != 0
    code, printed, _ = run("outcomes", "--csv", "--period", "2026-2027-Q3")
    assert code == 0
    header, *rows = printed.splitlines()
    assert header == "period,department,figure,group,measure,value,suppressed"
    assert "2026-2027-Q3,TBS,cycle_time_days,drafting,median,2.5," in rows
    assert "2026-2027-Q3,ALL,awards_by_province,NS,value,,yes" in rows


def test_the_trend_month_by_month(world: dict[str, str], sessions: sessionmaker[Session]) -> None:
    trend = figures(sessions, "2026-2027-Q3", department="TBS")["trend"]
    assert [item["month"] for item in trend] == [f"2026-{month:02d}" for month in range(1, 13)]
    by_month = {item["month"]: item for item in trend}
    # TBS: D published in September; A, B and C in October; A awarded in October, B in
    # November (after 28 days), A paid in November.
    assert [by_month[m]["published"] for m in ("2026-09", "2026-10", "2026-11")] == [1, 3, 0]
    assert by_month["2026-10"]["awarded"] == 1 and by_month["2026-11"]["paid"] == 1
    assert by_month["2026-10"]["need_to_award_days"] == {"count": 1, "median": 22.0, "p90": 22.0}
    assert by_month["2026-11"]["need_to_award_days"]["median"] == 28.0


def test_a_department_is_named_as_it_spells_its_acronym(
    world: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    assert figures(sessions, "2026", department="nrcan")["department"] == "NRCan"
    assert figures(sessions, "2026", department="tbs")["department"] == "TBS"
    with pytest.raises(LookupError):
        figures(sessions, "2026", department="XYZ")
