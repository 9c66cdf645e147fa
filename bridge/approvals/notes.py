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
from bridge.marketplace.limits import NOTE_UNITS, units
from bridge.marketplace.notes import NoteState, refusal_text, write_note
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.sync.models import Opportunity

log = logging.getLogger(__name__)


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
        outcome = write_note(
            client, OpportunityKind(kind_name), opportunity_id, text, marker(decision_id)
        )
        if outcome.state == NoteState.LATER:
            continue
        _mark(sessions, decision_id, outcome.state.value, outcome.error)
        if outcome.state == NoteState.REFUSED:
            refusals.append(refusal_text(opportunity_id, outcome))
        sent += outcome.state == NoteState.SENT
    return sent
