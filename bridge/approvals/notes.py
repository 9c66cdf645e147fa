"""Requests for changes, written on the marketplace as notes on the opportunity.

The marketplace has no way back to DRAFT, so the author learns what to change from a note in the
opportunity's history. A note is not idempotent: when the marketplace's answer is lost, the
bridge re-reads the opportunity and looks for the note's marker before trying again, so an
author never reads the same request twice.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStep
from bridge.audit.service import Actor, record
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.commands import AddNote
from bridge.marketplace.decode import Fetched
from bridge.marketplace.errors import ApiError, MarketplaceError, WriteOutcomeUnknown
from bridge.marketplace.limits import NOTE_UNITS, units
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.sync.models import Opportunity

log = logging.getLogger(__name__)

# The marketplace's history takes notes on Code With Us opportunities only.
KINDS_WITH_NOTES = frozenset({OpportunityKind("code-with-us")})


def marker(decision_id: int) -> str:
    return f"[GC approval, request for changes {decision_id}]"


def note_text(decision: ApprovalDecision, step: ApprovalStep) -> str:
    """Bilingual, as the author may read either language."""
    return _note(decision.id, step, decision.user_name) + decision.comment


def _note(decision_id: int, step: ApprovalStep, user_name: str) -> str:
    return (
        f"{marker(decision_id)} Changes requested at the step \u201c{step.name_en}\u201d / "
        "Modifications demand\u00e9es \u00e0 l\u2019\u00e9tape "
        f"\u00ab\u00a0{step.name_fr}\u00a0\u00bb "
        f"({user_name}): "
    )


def comment_room(step: ApprovalStep, user_name: str) -> int:
    """How long a comment may be for its note to fit the marketplace's 1,000 units, with the
    bridge's heading (counted with the longest decision number the bridge will reach)."""
    return max(0, NOTE_UNITS - units(_note(10**12, step, user_name)))


def _pending(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.execute(
        select(ApprovalDecision, ApprovalStep, Opportunity)
        .join(ApprovalStep, ApprovalStep.id == ApprovalDecision.step_id)
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalDecision.request_id)
        .join(Opportunity, Opportunity.id == ApprovalRequest.opportunity_id)
        .where(ApprovalDecision.note_status == "pending")
        .order_by(ApprovalDecision.id)
    )
    return [
        (decision.id, opportunity.kind, opportunity.id, note_text(decision, step))
        for decision, step, opportunity in rows
    ]


def _already_there(
    client: MarketplaceClient, kind: OpportunityKind, opportunity_id: str, decision_id: int
) -> bool:
    answer = client.get_opportunity(kind, opportunity_id)
    if not isinstance(answer, Fetched) or not hasattr(answer.record, "history"):
        return False
    return any(marker(decision_id) in (entry.note or "") for entry in answer.record.history or [])


def _mark(
    sessions: sessionmaker[Session], decision_id: int, status: str, error: str | None = None
) -> None:
    with transaction(sessions) as session:
        decision = session.get(ApprovalDecision, decision_id)
        assert decision is not None
        decision.note_status, decision.note_error = status, error
        record(
            session,
            Actor.job("approvals"),
            f"approval.note_{status}",
            "approval_decision",
            decision_id,
            after={"request": decision.request_id, "error": error},
        )


def send_change_requests(
    sessions: sessionmaker[Session], client: MarketplaceClient, refusals: list[str] | None = None
) -> int:
    """Write every pending request for changes on the marketplace; the number written. Notes
    refused for good are described in ``refusals``."""
    refusals = [] if refusals is None else refusals
    with sessions() as session:
        pending = _pending(session)
    sent = 0
    for decision_id, kind_name, opportunity_id, text in pending:
        kind = OpportunityKind(kind_name)
        if kind not in KINDS_WITH_NOTES:
            _mark(sessions, decision_id, "unsupported")
            continue
        if units(text) > NOTE_UNITS:  # the marketplace would refuse it: never sent
            _mark(sessions, decision_id, "refused", f"too_long:{units(text)}")
            refusals.append(f"note for {opportunity_id}: {units(text)} characters, over 1,000")
            continue
        try:
            client.send(kind, opportunity_id, AddNote(note=text))
        except WriteOutcomeUnknown:
            log.warning("note for decision %s: answer lost; checking the marketplace", decision_id)
            try:
                if not _already_there(client, kind, opportunity_id, decision_id):
                    continue  # not written: the next run tries again
            except MarketplaceError:
                continue
        except ApiError as refused:  # a 4xx: sending it again changes nothing
            log.warning("note for decision %s refused by the marketplace: %s", decision_id, refused)
            _mark(sessions, decision_id, "refused", "; ".join(refused.messages) or str(refused))
            refusals.append(f"note for {opportunity_id} refused: {refused}")
            continue
        except MarketplaceError:
            log.exception("note for decision %s not written; the next run tries again", decision_id)
            continue
        _mark(sessions, decision_id, "sent")
        sent += 1
    return sent
