"""The $10K cap: a micro-procurement contract's value stays at or under the cap.

Applies to the Code With Us reward, the Sprint With Us total budget and the Team With Us budget
(one ``amount`` in the mirror), plus amendments recorded against the award, plus taxes when the
posted amounts exclude them. Exactly at the cap passes; one cent over blocks.
"""

from __future__ import annotations

from bridge.rules.context import RuleContext
from bridge.rules.findings import Finding, Severity
from bridge.rules.money import contract_value, taxes_in


class ValueCapRule:
    name = "value_cap"

    def evaluate(self, context: RuleContext) -> list[Finding]:
        settings = context.settings
        if not settings.eligible(context.kind):
            return [
                Finding(self.name, Severity.BLOCK, "cap.kind_ineligible", {"kind": context.kind})
            ]
        value = contract_value(context.amount, settings, context.amendments_total)
        findings = []
        if context.amendments_total or not settings.amounts_include_taxes:
            taxes = taxes_in(context.amount, settings, context.amendments_total)
            explained = {
                "amount": str(context.amount),
                "amendments": str(context.amendments_total),
                "taxes": str(taxes),
                "value": str(value),
            }
            findings.append(Finding(self.name, Severity.INFO, "cap.value_explained", explained))
        if value > settings.cap_amount:
            over = {
                "value": str(value),
                "cap": str(settings.cap_amount),
                "excess": str(value - settings.cap_amount),
            }
            findings.append(Finding(self.name, Severity.BLOCK, "cap.exceeded", over))
        return findings
