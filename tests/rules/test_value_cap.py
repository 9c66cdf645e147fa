"""The $10K cap at its boundaries: exact, one cent over, taxes on and off, amendments, kinds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.rules.value_cap import ValueCapRule
from bridge.rules.findings import Severity
from bridge.rules.money import contract_value
from bridge.rules.settings import RuleSettings
from tests.rules.helpers import make_context

RULE = ValueCapRule()


def keys(amount: str, **settings: object) -> list[str]:
    context = make_context(amount=Decimal(amount), settings=RuleSettings(**settings))
    return [finding.message_key for finding in RULE.evaluate(context)]


def test_exactly_at_the_cap_passes_and_one_cent_over_blocks() -> None:
    assert keys("10000.00") == []
    over = RULE.evaluate(make_context(amount=Decimal("10000.01")))
    assert [(f.message_key, f.severity) for f in over] == [("cap.exceeded", Severity.BLOCK)]
    assert over[0].params == {"value": "10000.01", "cap": "10000.00", "excess": "0.01"}


def test_taxes_are_added_when_posted_amounts_exclude_them() -> None:
    # 8849.56 * 1.13 = 9999.9028 -> 9999.90: under; 8849.57 * 1.13 = 10000.0141 -> 10000.01: over
    assert keys("8849.56", amounts_include_taxes=False) == ["cap.value_explained"]
    assert keys("8849.57", amounts_include_taxes=False) == ["cap.value_explained", "cap.exceeded"]
    assert keys("8849.57", amounts_include_taxes=True) == []


def test_amendments_count_towards_the_cap() -> None:
    base = make_context(amount=Decimal("9000.00"), amendments_total=Decimal("1000.00"))
    assert [f.message_key for f in RULE.evaluate(base)] == ["cap.value_explained"]
    over = make_context(amount=Decimal("9000.00"), amendments_total=Decimal("1000.01"))
    findings = RULE.evaluate(over)
    assert [f.message_key for f in findings] == ["cap.value_explained", "cap.exceeded"]
    assert findings[0].params["amendments"] == "1000.01"
    # A negative amendment (a reduced contract) brings it back under.
    under = make_context(amount=Decimal("10500.00"), amendments_total=Decimal("-500.00"))
    assert "cap.exceeded" not in [f.message_key for f in RULE.evaluate(under)]


def test_the_cap_is_a_setting() -> None:
    assert keys("7500.01", cap_amount=Decimal("7500.00")) == ["cap.exceeded"]
    assert keys("7500.00", cap_amount=Decimal("7500.00")) == []


@pytest.mark.parametrize(
    ("kind", "eligible"),
    [("code-with-us", True), ("sprint-with-us", False), ("team-with-us", False)],
)
def test_kinds_are_eligible_as_the_settings_say(kind: str, eligible: bool) -> None:
    findings = RULE.evaluate(make_context(kind=kind, amount=Decimal("100.00")))
    assert (findings == []) is eligible
    if not eligible:
        assert findings[0].message_key == "cap.kind_ineligible"
        assert findings[0].severity is Severity.BLOCK
    opened = RuleSettings(sprint_with_us_eligible=True, team_with_us_eligible=True)
    assert RULE.evaluate(make_context(kind=kind, amount=Decimal("1"), settings=opened)) == []


cents = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
rates = st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)


@given(amount=cents, amendments=cents, rate=rates)
def test_contract_value_is_exact_to_the_cent(
    amount: Decimal, amendments: Decimal, rate: Decimal
) -> None:
    settings = RuleSettings(amounts_include_taxes=False, tax_rate=rate)
    value = contract_value(amount, settings, amendments)
    exact = (amount + amendments) * (1 + rate)
    assert value.as_tuple().exponent == -2
    assert abs(value - exact) <= Decimal("0.005")
    assert contract_value(amount, RuleSettings(), amendments) == amount + amendments


@given(amount=cents)
def test_the_cap_decision_matches_the_exact_comparison(amount: Decimal) -> None:
    blocked = "cap.exceeded" in keys(str(amount))
    assert blocked is (amount > Decimal("10000.00"))
