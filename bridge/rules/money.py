"""The value of a contract as the cap sees it: exact Decimal arithmetic, one explicit rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bridge.rules.settings import RuleSettings

CENT = Decimal("0.01")


def contract_value(
    amount: Decimal, settings: RuleSettings, amendments: Decimal = Decimal("0.00")
) -> Decimal:
    """Posted amount plus amendments, with taxes added when the posted amounts exclude them.

    Amendments are recorded on the same basis as the posted amount, so taxes apply to the sum,
    rounded once, half up, to the cent (the way an invoice total is rounded).
    """
    base = amount + amendments
    if not settings.amounts_include_taxes:
        base = base * (1 + settings.tax_rate)
    return base.quantize(CENT, rounding=ROUND_HALF_UP)


def taxes_in(
    amount: Decimal, settings: RuleSettings, amendments: Decimal = Decimal("0.00")
) -> Decimal:
    """The taxes ``contract_value`` added (zero when posted amounts include them)."""
    return contract_value(amount, settings, amendments) - (amount + amendments).quantize(CENT)
