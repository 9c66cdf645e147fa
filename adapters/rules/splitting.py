"""Contract splitting: a requirement split to stay under the cap is forbidden by GC policy.

Two patterns are flagged for procurement review (warnings: a person decides):

- awards by one department to one supplier (an organization, or a person by e-mail) within a
  rolling window (12 months by default) whose total exceeds the cap; before an award, the same
  check runs for every supplier with an offer, so staff see it before they award;
- postings by one department within a short window (30 days by default) whose titles and
  descriptions are near-duplicates and whose total exceeds the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from bridge.rules.context import RelatedAward, RelatedPosting, RuleContext, Supplier
from bridge.rules.findings import Finding, Severity
from bridge.rules.money import contract_value
from bridge.text.similarity import alike_among


def max_window_total(
    events: Sequence[tuple[datetime, Decimal]], anchor: datetime, window: timedelta
) -> tuple[Decimal, int]:
    """The largest total (and its count) of events in any window of length ``window``
    that contains ``anchor``; windows start at each event at most ``window`` before it."""
    best, best_count = Decimal("0.00"), 0
    starts = {moment for moment, _ in events if anchor - window <= moment <= anchor} | {anchor}
    for start in starts:
        inside = [value for moment, value in events if start <= moment <= start + window]
        total = sum(inside, Decimal("0.00"))
        if total > best:
            best, best_count = total, len(inside)
    return best, best_count


class SplittingRule:
    name = "splitting"

    def evaluate(self, context: RuleContext) -> list[Finding]:
        if context.department_id is None:
            return []
        return self._awards(context) + self._postings(context)

    def related(self, context: RuleContext) -> set[str]:
        """The opportunities this one is compared with: same supplier, or near-identical."""
        suppliers = (
            {context.award.supplier.key}
            if context.award is not None
            else {supplier.key for supplier in context.prospective_suppliers}
        )
        found = {a.opportunity_id for a in context.department_awards if a.supplier.key in suppliers}
        found |= {posting.opportunity_id for posting in self._alike(context)}
        return found

    def __init__(self) -> None:
        # The last context compared and what matched: the pipeline asks for the neighbours
        # (``related``) right after judging, and the comparisons are most of this rule's cost.
        self._last: tuple[RuleContext, list[RelatedPosting]] | None = None

    def _alike(self, context: RuleContext) -> list[RelatedPosting]:
        last = self._last  # one read: another thread may replace it meanwhile
        if last is not None and last[0] is context:
            return last[1]
        postings = context.department_postings
        threshold = float(context.settings.similarity_threshold)
        verdicts = alike_among(context.text, [posting.text for posting in postings], threshold)
        found = [posting for posting, alike in zip(postings, verdicts, strict=True) if alike]
        self._last = (context, found)
        return found

    def _awards(self, context: RuleContext) -> list[Finding]:
        settings = context.settings
        own_value = contract_value(context.amount, settings, context.amendments_total)
        if context.award is not None:
            candidates = [(context.award.supplier, context.award.awarded_at, "splitting.awards")]
        else:
            candidates = [
                (supplier, context.now, "splitting.prospective")
                for supplier in context.prospective_suppliers
            ]
        findings = []
        window = timedelta(days=settings.award_window_days)
        for supplier, anchor, key in candidates:
            others = _awards_to(supplier, context.department_awards)
            events = [(anchor, own_value)]
            events += [
                (other.awarded_at, contract_value(other.value, settings)) for other in others
            ]
            total, count = max_window_total(events, anchor, window)
            if count > 1 and total > settings.cap_amount:
                params = {
                    "supplier": supplier.name,
                    "total": str(total),
                    "count": count,
                    "days": settings.award_window_days,
                    "others": "; ".join(other.title for other in others),
                }
                findings.append(Finding(self.name, Severity.WARN, key, params))
        return findings

    def _postings(self, context: RuleContext) -> list[Finding]:
        settings = context.settings
        alike = self._alike(context)
        if not alike:
            return []
        events = [(context.posted_at, contract_value(context.amount, settings))]
        events += [
            (posting.posted_at, contract_value(posting.value, settings)) for posting in alike
        ]
        window = timedelta(days=settings.posting_window_days)
        total, count = max_window_total(events, context.posted_at, window)
        if count < 2 or total <= settings.cap_amount:
            return []
        params = {
            "total": str(total),
            "count": count,
            "days": settings.posting_window_days,
            "others": "; ".join(posting.title for posting in alike),
        }
        return [Finding(self.name, Severity.WARN, "splitting.postings", params)]


def _awards_to(supplier: Supplier, awards: Sequence[RelatedAward]) -> list[RelatedAward]:
    return [award for award in awards if award.supplier.key == supplier.key]
