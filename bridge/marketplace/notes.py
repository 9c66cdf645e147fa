"""Writing a note on a marketplace opportunity, once.

A note is not idempotent: when the marketplace's answer is lost, the note is looked for in the
opportunity's history by its marker before it is tried again, so nobody reads it twice. A note
over the marketplace's limit is never sent (it would be refused with a 400 that no retry
changes); a 4xx is a refusal for people to see, not a retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.commands import AddNote
from bridge.marketplace.decode import Fetched
from bridge.marketplace.errors import ApiError, MarketplaceError, WriteOutcomeUnknown
from bridge.marketplace.limits import NOTE_UNITS, units
from bridge.marketplace.vocabulary import OpportunityKind

log = logging.getLogger(__name__)

# The marketplace's history takes notes on Code With Us opportunities only.
KINDS_WITH_NOTES = frozenset({OpportunityKind("code-with-us")})


class NoteState(StrEnum):
    SENT = "sent"
    LATER = "later"  # not known to be written: the next run tries again
    REFUSED = "refused"  # by the marketplace, or over its limit: never tried again
    UNSUPPORTED = "unsupported"  # this kind of opportunity takes no notes


@dataclass(frozen=True)
class NoteOutcome:
    state: NoteState
    error: str | None = None


def _already_there(
    client: MarketplaceClient, kind: OpportunityKind, opportunity_id: str, marker: str
) -> bool:
    answer = client.get_opportunity(kind, opportunity_id)
    if not isinstance(answer, Fetched) or not hasattr(answer.record, "history"):
        return False
    return any(marker in (entry.note or "") for entry in answer.record.history or [])


def write_note(
    client: MarketplaceClient, kind: OpportunityKind, opportunity_id: str, text: str, marker: str
) -> NoteOutcome:
    """Write ``text`` (which contains ``marker``) on the opportunity, at most once."""
    if kind not in KINDS_WITH_NOTES:
        return NoteOutcome(NoteState.UNSUPPORTED)
    if units(text) > NOTE_UNITS:
        return NoteOutcome(NoteState.REFUSED, f"too_long:{units(text)}")
    try:
        client.send(kind, opportunity_id, AddNote(note=text))
    except WriteOutcomeUnknown:
        log.warning("note %s: answer lost; checking the marketplace", marker)
        try:
            if not _already_there(client, kind, opportunity_id, marker):
                return NoteOutcome(NoteState.LATER)
        except MarketplaceError:
            return NoteOutcome(NoteState.LATER)
    except ApiError as refused:
        log.warning("note %s refused by the marketplace: %s", marker, refused)
        return NoteOutcome(NoteState.REFUSED, "; ".join(refused.messages) or str(refused))
    except MarketplaceError:
        log.exception("note %s not written; the next run tries again", marker)
        return NoteOutcome(NoteState.LATER)
    return NoteOutcome(NoteState.SENT)


def refusal_text(opportunity_id: str, outcome: NoteOutcome) -> str:
    """A refused note as a run's error says it."""
    if outcome.error and outcome.error.startswith("too_long:"):
        length = outcome.error.partition(":")[2]
        return f"note for {opportunity_id}: {length} characters, over 1,000"
    return f"note for {opportunity_id} refused: {outcome.error}"
