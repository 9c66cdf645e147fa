"""The marketplace's writes: tagged commands sent with ``PUT /api/opportunities/<kind>/<id>``.

A status change is never a field write on the marketplace; each command below is one of the
tags the marketplace accepts, with the value shape it expects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bridge.marketplace.models import CWUOpportunity

# The marketplace snaps every date it is sent to 16:00 in Vancouver of that day, so a date read
# back must be taken in Vancouver time to send the same day again.
MARKETPLACE_ZONE = ZoneInfo("America/Vancouver")


class Command(BaseModel):
    """A tagged update; ``body()`` is what goes on the wire."""

    model_config = ConfigDict(frozen=True)
    tag: ClassVar[str]

    def value(self) -> Any:
        raise NotImplementedError

    def body(self) -> dict[str, Any]:
        return {"tag": self.tag, "value": self.value()}


class Publish(Command):
    """DRAFT or UNDER_REVIEW → PUBLISHED (ADMIN only)."""

    tag: ClassVar[str] = "publish"
    note: str = ""

    def value(self) -> str:
        return self.note


class Cancel(Command):
    """PUBLISHED, or in evaluation → CANCELED (ADMIN only)."""

    tag: ClassVar[str] = "cancel"
    note: str = Field(min_length=1)

    def value(self) -> str:
        return self.note


class AddNote(Command):
    """A note in the opportunity's history (Code With Us)."""

    tag: ClassVar[str] = "addNote"
    note: str = Field(min_length=1)
    attachments: tuple[str, ...] = ()

    def value(self) -> dict[str, Any]:
        return {"note": self.note, "attachments": list(self.attachments)}


class AddAddendum(Command):
    """An addendum, public once the opportunity is published."""

    tag: ClassVar[str] = "addAddendum"
    text: str = Field(min_length=1)

    def value(self) -> str:
        return self.text


class Edit(Command):
    """A full replacement of the opportunity's editable fields (not a patch).

    ``fields`` is the create body minus ``status``, in the marketplace's own field names;
    ``cwu_edit_from`` builds it from the current record so a caller changes only what it means to.
    """

    tag: ClassVar[str] = "edit"
    fields: dict[str, Any]

    def value(self) -> dict[str, Any]:
        return dict(self.fields)


def marketplace_date(moment: datetime) -> str:
    """The ``YYYY-MM-DD`` the marketplace expects for a moment it sent us."""
    return moment.astimezone(MARKETPLACE_ZONE).date().isoformat()


def cwu_edit_from(opportunity: CWUOpportunity, **changes: Any) -> Edit:
    """An ``edit`` that keeps every field of ``opportunity`` but those in ``changes``."""
    fields: dict[str, Any] = {
        "title": opportunity.title,
        "teaser": opportunity.teaser,
        "remoteOk": opportunity.remote_ok,
        "remoteDesc": opportunity.remote_desc,
        "location": opportunity.location,
        "reward": int(opportunity.reward)
        if opportunity.reward == int(opportunity.reward)
        else float(opportunity.reward),
        "skills": list(opportunity.skills),
        "description": opportunity.description,
        "proposalDeadline": marketplace_date(opportunity.proposal_deadline),
        "assignmentDate": marketplace_date(opportunity.assignment_date),
        "startDate": marketplace_date(opportunity.start_date),
        "completionDate": marketplace_date(opportunity.completion_date)
        if opportunity.completion_date
        else None,
        "submissionInfo": opportunity.submission_info,
        "acceptanceCriteria": opportunity.acceptance_criteria,
        "evaluationCriteria": opportunity.evaluation_criteria,
        "attachments": [attachment.id for attachment in opportunity.attachments],
    }
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValueError(f"not editable fields: {sorted(unknown)}")
    fields.update(changes)
    return Edit(fields=fields)
