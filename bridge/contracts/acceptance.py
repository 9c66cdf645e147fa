"""Delivered work and its acceptance under section 34 of the Financial Administration Act.

The business owner records what was delivered for a milestone (the merged pull request or
commit, a note, the names of attachments) with the supplier's invoice for it, and asks for
acceptance; a certifier of the department accepts (which makes the payment requisition, in the
same transaction) or refuses with a reason. Every step is audited and told to the next person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.contracts.duties import check_certifier, require_role
from bridge.contracts.issuing import ContractRefused, accepted_milestones, milestones_of
from bridge.contracts.marketplace_notes import accepted_note, queue
from bridge.contracts.models import Contract, Milestone, WorkDelivery, WorkState
from bridge.contracts.notices import acceptance_requested, work_decided
from bridge.contracts.requisitions import create_requisition
from bridge.notifications.messages import N_
from bridge.settings import Settings


@dataclass(frozen=True)
class Invoice:
    number: str
    dated: date
    received_on: date


def _web_address(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ContractRefused(
            N_("Give the address of the merged pull request or commit (https://…).")
        )
    return url


def _milestone(session: Session, contract: Contract, position: int) -> Milestone:
    for milestone in milestones_of(session, contract):
        if milestone.position == position:
            return milestone
    raise ContractRefused(N_("The contract has no such milestone."))


def record_delivery(
    session: Session,
    user: PanelUser,
    contract: Contract,
    *,
    milestone: int,
    url: str,
    invoice: Invoice,
    zone: ZoneInfo,
    note: str = "",
    attachments: list[str] | None = None,
    now: datetime | None = None,
) -> WorkDelivery:
    """Record delivered work with its invoice and ask the department's certifiers to accept it."""
    now = now or utcnow()
    require_role(user, Role.OWNER, contract.department_id)
    part = _milestone(session, contract, milestone)
    if part.id in accepted_milestones(session, contract):
        raise ContractRefused(N_("This milestone is accepted already."))
    waiting = session.scalar(
        select(WorkDelivery.id).where(
            WorkDelivery.milestone_id == part.id, WorkDelivery.state == WorkState.AWAITING.value
        )
    )
    if waiting is not None:
        raise ContractRefused(N_("This milestone already waits for a decision."))
    today = now.astimezone(zone).date()
    if not invoice.number.strip():
        raise ContractRefused(N_("Enter the supplier's invoice number."))
    if not invoice.dated <= invoice.received_on <= today:
        raise ContractRefused(
            N_("The invoice's date must come before its receipt, and its receipt before today.")
        )
    work = WorkDelivery(
        contract_id=contract.id,
        milestone_id=part.id,
        url=_web_address(url),
        note=note.strip(),
        attachments=[name.strip() for name in attachments or [] if name.strip()],
        invoice_number=invoice.number.strip(),
        invoice_date=invoice.dated,
        invoice_received_on=invoice.received_on,
        state=WorkState.AWAITING.value,
        requested_by_id=user.id,
        requested_at=now,
    )
    session.add(work)
    session.flush()
    record(
        session,
        Actor.user(user.id, user.display_name),
        "contract.work_delivered",
        "contract",
        contract.number,
        now=now,
        after={
            "delivery": work.id,
            "milestone": milestone,
            "url": work.url,
            "invoice": work.invoice_number,
            "attachments": work.attachments,
        },
    )
    acceptance_requested(session, contract, work, part, now)
    return work


def decide(
    session: Session,
    user: PanelUser,
    work: WorkDelivery,
    settings: Settings,
    *,
    accept: bool,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """A certifier's decision: acceptance (s.34) makes the payment requisition with it."""
    now = now or utcnow()
    contract = session.get(Contract, work.contract_id)
    assert contract is not None
    check_certifier(user, contract, work)
    if work.state != WorkState.AWAITING.value:
        raise ContractRefused(N_("This delivery is decided already."))
    if not accept and not reason.strip():
        raise ContractRefused(N_("Say why the work is refused."))
    work.state = (WorkState.ACCEPTED if accept else WorkState.REFUSED).value
    work.decided_by_id, work.decided_at = user.id, now
    work.reason = reason.strip() or None
    actor = Actor.user(user.id, user.display_name)
    record(
        session,
        actor,
        "contract.work_accepted" if accept else "contract.work_refused",
        "contract",
        contract.number,
        now=now,
        after={"delivery": work.id, "certifier": user.email, "reason": work.reason},
    )
    if accept:
        create_requisition(session, contract, work, user, settings, now)
        milestone = session.get(Milestone, work.milestone_id)
        assert milestone is not None
        on = now.astimezone(settings.zone).date()
        queue(
            session, contract, f"accepted:{work.id}", accepted_note(contract, work, milestone, on)
        )
    work_decided(session, contract, work, now)
