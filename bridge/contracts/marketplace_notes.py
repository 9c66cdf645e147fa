"""The contract's progress in the opportunity's history on the marketplace: a bilingual note
when the contract is issued and when work is accepted.

The marketplace shows an opportunity's history to its owner and to administrators, not to
vendors: these notes keep the business owner's view of the opportunity whole where they already
look. The supplier hears of each step through the notifier. Notes are queued in the step's
transaction and written by the run's write-back, once each (``bridge.marketplace.notes``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor, record
from bridge.contracts.models import Contract, ContractNote, Milestone, WorkDelivery
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.notes import NoteState, refusal_text, write_note
from bridge.marketplace.vocabulary import OpportunityKind
from bridge.notifications.messages import Bilingual
from bridge.sync.models import Opportunity


def marker(contract: Contract, event: str) -> str:
    return f"[GC contract {contract.number}, {event}]"


def issued_note(contract: Contract, issued_on: date) -> str:
    day = Bilingual.day(issued_on)
    return (
        f"{marker(contract, 'issued')} Contract {contract.number} issued to "
        f"{contract.supplier_name} on {day.en}. / Contrat {contract.number} émis à "
        f"{contract.supplier_name} le {day.fr}."
    )


def accepted_note(contract: Contract, work: WorkDelivery, milestone: Milestone, on: date) -> str:
    day = Bilingual.day(on)
    return (
        f"{marker(contract, f'accepted:{work.id}')} Work of milestone {milestone.position} "
        f"(“{milestone.name_en}”) accepted under section 34 of the Financial Administration "
        f"Act on {day.en}. / Travaux de l\u2019étape {milestone.position} "
        f"(\u00ab\u00a0{milestone.name_fr}\u00a0\u00bb) acceptés en vertu de l\u2019article 34 "
        f"de la Loi sur la gestion des finances publiques le {day.fr}."
    )


def queue(session: Session, contract: Contract, event: str, text: str) -> None:
    session.add(ContractNote(contract_id=contract.id, event=event, text=text))


def send_progress_notes(
    sessions: sessionmaker[Session], client: MarketplaceClient, refusals: list[str]
) -> int:
    """Write the pending notes; the number written. A refusal is kept and reported."""
    with sessions() as session:
        pending = session.execute(
            select(ContractNote, Contract, Opportunity.kind)
            .join(Contract, Contract.id == ContractNote.contract_id)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .where(ContractNote.status == "pending")
            .order_by(ContractNote.id)
        ).all()
    written = 0
    for note, contract, kind in pending:
        outcome = write_note(
            client,
            OpportunityKind(kind),
            contract.opportunity_id,
            note.text,
            marker(contract, note.event),
        )
        if outcome.state == NoteState.LATER:
            continue
        with transaction(sessions) as session:
            stored = session.get(ContractNote, note.id)
            assert stored is not None
            stored.status, stored.error = outcome.state.value, outcome.error
            record(
                session,
                Actor.job("contracts"),
                f"contract.note_{outcome.state.value}",
                "contract",
                contract.number,
                after={"event": note.event, "error": outcome.error},
            )
        if outcome.state == NoteState.REFUSED:
            refusals.append(refusal_text(contract.opportunity_id, outcome))
        written += outcome.state == NoteState.SENT
    return written
