"""Whom the dollars reach: awards and their value by the supplier's province or territory and
inside or outside the National Capital Region, individuals against organizations, suppliers new
to the bridge, and how many proposals opportunities draw.

Only counts and sums leave here, never a supplier's name; the panel hides what a cell could
reveal of an individual from readers who may not read proposals.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.awards.models import AwardAmendment
from bridge.exports.build import NOT_BIDS, supplier_of
from bridge.outcomes.periods import Period
from bridge.outcomes.stages import departments_of
from bridge.rules.money import contract_value
from bridge.rules.settings import load_rule_settings
from bridge.settings import PROJECT_ROOT
from bridge.sync.models import Award, Opportunity, Organization, Proposal

PLACES_FILE = PROJECT_ROOT / "config" / "outcomes.toml"
UNKNOWN = "unknown"
# Fewer awards than this in a cell could name an individual supplier to a reader who may not
# read proposals, or to anyone once published as open data.
SMALLEST_SHOWN = 3


@cache
def _places(path: Path = PLACES_FILE) -> tuple[dict[str, str], tuple[str, ...]]:
    with path.open("rb") as handle:
        places = tomllib.load(handle)
    prefixes = tuple(places["national_capital_region"]["prefixes"])
    return dict(places["provinces"]), prefixes


def province_of(postal_code: str | None) -> str:
    """The province or territory a Canadian postal code is in; ``unknown`` for anything else."""
    code = "".join((postal_code or "").split()).upper()
    provinces, _ncr = _places()
    return provinces.get(code[:1], UNKNOWN) if len(code) == 6 else UNKNOWN


def in_capital_region(postal_code: str | None) -> bool:
    code = "".join((postal_code or "").split()).upper()
    return len(code) == 6 and code.startswith(_places()[1])


@dataclass
class Tally:
    awards: int = 0
    value: Decimal = Decimal("0.00")

    def add(self, value: Decimal) -> None:
        self.awards += 1
        self.value += value

    def as_dict(self) -> dict[str, Any]:
        return {"awards": self.awards, "value": f"{self.value:.2f}"}

    @property
    def too_small(self) -> bool:
        """Whether the cell must be hidden from those who may not know its suppliers."""
        return 0 < self.awards < SMALLEST_SHOWN


@dataclass
class Reach:
    by_province: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    capital_region: Tally = field(default_factory=Tally)
    elsewhere: Tally = field(default_factory=Tally)
    individuals: int = 0
    organizations: int = 0
    unique_suppliers: int = 0
    first_time_suppliers: int = 0
    proposals_per_opportunity: float | None = None
    opportunities_closed: int = 0
    without_proposal: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_province": {
                name: tally.as_dict() for name, tally in sorted(self.by_province.items())
            },
            "national_capital_region": self.capital_region.as_dict(),
            "outside_national_capital_region": self.elsewhere.as_dict(),
            "individuals": self.individuals,
            "organizations": self.organizations,
            "unique_suppliers": self.unique_suppliers,
            "first_time_suppliers": self.first_time_suppliers,
            "proposals_per_opportunity": {"median": self.proposals_per_opportunity},
            "opportunities_closed": self.opportunities_closed,
            "opportunities_without_proposal": self.without_proposal,
        }


def reach(
    session: Session,
    period: Period,
    zone: ZoneInfo,
    *,
    department_ids: Collection[int] | None = None,
    kind: str | None = None,
) -> Reach:
    """The awards made in ``period`` (of those departments and that kind, when given), and the
    opportunities whose proposal deadline passed in it."""
    departments = departments_of(session)

    def chosen(opportunity_id: str, opportunity_kind: str) -> bool:
        return (department_ids is None or departments.get(opportunity_id) in department_ids) and (
            kind is None or opportunity_kind == kind
        )

    settings = load_rule_settings(session)
    amendments: dict[str, Decimal] = dict(
        iter(
            session.execute(
                select(
                    AwardAmendment.opportunity_id, func.sum(AwardAmendment.amount_change)
                ).group_by(AwardAmendment.opportunity_id)
            )
        )
    )
    result = Reach()
    first_award: dict[str, Any] = {}
    suppliers_in_period: set[str] = set()
    awards = session.scalars(select(Award).order_by(Award.awarded_at)).all()
    # supplier_of reads each award's proposal and organization: two queries for all of them
    # rather than two an award (kept referenced, so the session finds them by key).
    loaded = [
        *session.scalars(select(Proposal).join(Award, Award.proposal_id == Proposal.id)),
        *session.scalars(select(Organization).join(Award, Award.proponent_id == Organization.id)),
    ]
    for award in awards:
        supplier = supplier_of(session, award)
        first_award.setdefault(supplier.key, award.awarded_at)
        if not chosen(award.opportunity_id, award.kind):
            continue
        if not period.holds(award.awarded_at.astimezone(zone).date()):
            continue
        value = contract_value(
            award.amount, settings, amendments.get(award.opportunity_id, Decimal("0.00"))
        )
        result.by_province[province_of(supplier.postal_code)].add(value)
        (
            result.capital_region if in_capital_region(supplier.postal_code) else result.elsewhere
        ).add(value)
        if supplier.kind == "individual":
            result.individuals += 1
        else:
            result.organizations += 1
        if supplier.key not in suppliers_in_period:
            suppliers_in_period.add(supplier.key)
            if period.holds(first_award[supplier.key].astimezone(zone).date()):
                result.first_time_suppliers += 1
    result.unique_suppliers = len(suppliers_in_period)
    del loaded
    _proposals(session, period, zone, chosen, result)
    return result


def _proposals(
    session: Session, period: Period, zone: ZoneInfo, chosen: Any, result: Reach
) -> None:
    """Proposals per opportunity whose deadline passed in the period (and was published)."""
    bids = dict(
        iter(
            session.execute(
                select(Proposal.opportunity_id, func.count())
                .where(
                    Proposal.submitted_at.is_not(None),
                    Proposal.status.not_in(NOT_BIDS),
                    Proposal.removed_at.is_(None),
                )
                .group_by(Proposal.opportunity_id)
            )
        )
    )
    counts = []
    rows = session.execute(
        select(Opportunity.id, Opportunity.kind, Opportunity.proposal_deadline).where(
            Opportunity.published_at.is_not(None),
            Opportunity.removed_at.is_(None),
            Opportunity.status.not_in(("DRAFT", "UNDER_REVIEW", "PUBLISHED")),
        )
    )
    for opportunity_id, kind, deadline in rows:
        if chosen(opportunity_id, kind) and period.holds(deadline.astimezone(zone).date()):
            counts.append(int(bids.get(opportunity_id, 0)))
    result.opportunities_closed = len(counts)
    result.without_proposal = sum(1 for count in counts if count == 0)
    result.proposals_per_opportunity = float(median(counts)) if counts else None
