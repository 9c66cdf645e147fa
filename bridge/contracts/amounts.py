"""A contract's money: its value before taxes, the GST/HST and the total, and their share per
milestone, in exact cents that always add up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bridge.rules.money import CENT, contract_value
from bridge.rules.settings import RuleSettings


@dataclass(frozen=True)
class Amounts:
    value: Decimal  # before taxes
    taxes: Decimal
    total: Decimal


def award_amounts(
    amount: Decimal, settings: RuleSettings, amendments: Decimal = Decimal("0.00")
) -> Amounts:
    """The posted amount (and amendments) split as the rule settings say amounts are posted:
    with taxes included, the taxes are taken out of it; without, added to it."""
    total = contract_value(amount, settings, amendments)
    if settings.amounts_include_taxes:
        value = (total / (1 + settings.tax_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        value = (amount + amendments).quantize(CENT)
    return Amounts(value, total - value, total)


def shares(whole: Amounts, values: list[Decimal]) -> list[Amounts]:
    """Each part's taxes in proportion to its value; the last part takes what rounding left,
    so the parts add up to the whole exactly."""
    parts: list[Amounts] = []
    taxes_left = whole.taxes
    for index, value in enumerate(values):
        if index == len(values) - 1:
            taxes = taxes_left
        elif whole.value:
            taxes = (whole.taxes * value / whole.value).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            taxes = Decimal("0.00")
        taxes_left -= taxes
        parts.append(Amounts(value, taxes, value + taxes))
    return parts
