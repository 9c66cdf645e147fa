"""Awards, derived: the marketplace writes an award on a proposal and shows it on the opportunity.

There is no award object and no award date in the API: the winner is the opportunity's
``successfulProponent`` (matched to the AWARDED proposal), the date is the newest AWARDED status
record in the history (falling back to ``updatedAt`` where a fork hides the history), and the
value is the opportunity's posted amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bridge.marketplace.models import (
    CWUSuccessfulProponent,
    OpportunityModel,
    OpportunityOutline,
    ProposalModel,
)
from bridge.sync.fingerprints import digest


@dataclass(frozen=True)
class AwardFacts:
    """What the bridge records of an award."""

    proposal_id: str | None
    proponent_type: str
    proponent_id: str
    supplier_name: str
    supplier_email: str | None
    amount: Decimal
    awarded_at: datetime

    @property
    def fingerprint(self) -> str:
        return digest(self.__dict__)


def award_date(opportunity: OpportunityModel) -> datetime:
    """When the opportunity was (last) awarded."""
    for entry in opportunity.history or ():
        if entry.type.tag == "status" and entry.type.value == "AWARDED":
            return entry.created_at  # history is newest first
    return opportunity.updated_at


def derive_award(
    opportunity: OpportunityModel, proposals: Sequence[ProposalModel] | None
) -> AwardFacts | None:
    """The award of an AWARDED opportunity, or ``None`` when it is not (or not yet) awarded."""
    winner = opportunity.successful_proponent
    proponent = award_proponent(opportunity)
    if winner is None or proponent is None:
        return None
    proponent_type, proponent_id = proponent
    return AwardFacts(
        proposal_id=_winning_proposal_id(proposals or (), proponent_id),
        proponent_type=proponent_type,
        proponent_id=proponent_id,
        supplier_name=winner.name,
        supplier_email=winner.email,
        amount=opportunity.amount,
        awarded_at=award_date(opportunity),
    )


def award_proponent(opportunity: OpportunityOutline) -> tuple[str, str] | None:
    """``(type, id)`` of who won an AWARDED opportunity: an individual or an organization."""
    winner = opportunity.successful_proponent
    if opportunity.status.value != "AWARDED" or winner is None:
        return None
    if isinstance(winner, CWUSuccessfulProponent):
        return winner.id.tag, winner.id.value
    return "organization", winner.id


def _winning_proposal_id(proposals: Sequence[ProposalModel], proponent_id: str) -> str | None:
    awarded = [proposal for proposal in proposals if proposal.status.value == "AWARDED"]
    for proposal in awarded:
        if proposal_proponent(proposal)[1] == proponent_id:
            return proposal.id
    return awarded[0].id if len(awarded) == 1 else None


def proposal_proponent(proposal: ProposalModel) -> tuple[str, str | None, str | None, str | None]:
    """``(type, id, name, email)`` of whoever made the proposal, whatever the kind."""
    proponent = getattr(proposal, "proponent", None)
    if proponent is not None:
        value = proponent.value
        email = getattr(value, "email", None) or getattr(value, "contact_email", None)
        return proponent.tag, value.id, value.legal_name, email
    organization = getattr(proposal, "organization", None)
    if organization is not None:
        return "organization", organization.id, organization.legal_name, None
    return "organization", None, getattr(proposal, "anonymous_proponent_name", None), None
