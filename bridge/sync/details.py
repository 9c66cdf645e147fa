"""What one opportunity's full read is: the answers, decoded only where they are needed.

A run reads each opportunity that needs it in full (its detail, the proposals once it is in
evaluation, the winner's organization) on the client's pool, then hands the result to be
written. The reading side decodes only what its decisions need (the detail, to know whether
proposals and an organization must be read); the rest is decoded by whoever writes it. When
that is another process, the result travels as the marketplace's bytes, which pickle for almost
nothing and are validated again on the other side, far faster than pickle would rebuild models.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, cast

from bridge.marketplace.decode import Answer, Listing, Malformed
from bridge.marketplace.models import (
    DETAIL_MODELS,
    OUTLINE_MODELS,
    PROPOSAL_MODELS,
    OpportunityModel,
    OpportunityOutline,
    Organization,
    ProposalModel,
)
from bridge.marketplace.vocabulary import PRE_EVALUATION_STATUSES, OpportunityKind
from bridge.sync.store import StoredOpportunity


def proposals_pending(stored: StoredOpportunity) -> bool:
    """Whether the proposals of this version of the opportunity are still to be read."""
    return (
        stored.status not in PRE_EVALUATION_STATUSES
        and stored.proposals_synced_for != stored.fingerprint
    )


@dataclass(frozen=True)
class DetailJob:
    """One opportunity to read in full, with what is known of it already."""

    kind: OpportunityKind
    id: str
    stored: StoredOpportunity | None
    full: bool

    @property
    def etag(self) -> str | None:
        """Send the stored ETag only when a 304 would leave nothing pending for this record."""
        if self.full or self.stored is None or self.stored.removed_at is not None:
            return None
        if proposals_pending(self.stored):
            return None
        return self.stored.etag


@dataclass(eq=False)
class DetailResult:
    """Everything read of one opportunity; a detail answered 304 has no ``record``."""

    job: DetailJob
    detail: Answer
    proposals_answer: Answer | None = None
    organization_answers: list[Answer] = field(default_factory=list)

    @property
    def etag(self) -> str | None:
        return self.detail.etag

    @cached_property
    def outline(self) -> OpportunityOutline | Malformed | None:
        """The few fields the reading side decides from (see ``models.OUTLINE_MODELS``)."""
        if self.detail.not_modified:
            return None
        kind = self.job.kind
        outline = self.detail.record(OUTLINE_MODELS[kind], f"opportunity:{kind.value}")
        return cast(OpportunityOutline | Malformed, outline)

    @cached_property
    def record(self) -> OpportunityModel | Malformed | None:
        if self.detail.not_modified:
            return None
        kind = self.job.kind
        return self.detail.record(DETAIL_MODELS[kind], f"opportunity:{kind.value}")

    @cached_property
    def proposals(self) -> Listing[ProposalModel] | None:
        if self.proposals_answer is None:
            return None
        kind = self.job.kind
        return self.proposals_answer.listing(PROPOSAL_MODELS[kind], f"proposal:{kind.value}")

    @cached_property
    def organizations(self) -> list[Organization | Malformed]:
        return [answer.record(Organization, "organization") for answer in self.organization_answers]

    def __getstate__(self) -> dict[str, Any]:
        """What pickling carries: the answers, never what was decoded from them."""
        return {item.name: self.__dict__[item.name] for item in fields(self)}
