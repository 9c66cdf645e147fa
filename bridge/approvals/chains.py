"""Editing a department's approval chain.

A saved chain applies at once to the requests still being decided: their progress is always
computed from the chain as it stands. A step someone already decided cannot be removed (the
decision must keep pointing at it); rename it instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser
from bridge.approvals.models import ApprovalDecision, ApprovalStep
from bridge.audit.service import Actor, record


class ChainRefused(Exception):
    """A chain that may not be saved; ``code`` names why (the panel words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StepDraft:
    """One step as the editor submits it; ``step_id`` is ``None`` for a new one."""

    step_id: int | None
    name_en: str
    name_fr: str
    min_amount: Decimal | None = None
    approver_ids: frozenset[int] = field(default_factory=frozenset)


def chain_of(session: Session, department_id: int) -> list[ApprovalStep]:
    return list(
        session.scalars(
            select(ApprovalStep)
            .where(ApprovalStep.department_id == department_id)
            .order_by(ApprovalStep.position)
        )
    )


def _describe(steps: list[ApprovalStep]) -> list[dict[str, object]]:
    return [
        {
            "key": step.key,
            "name_en": step.name_en,
            "name_fr": step.name_fr,
            "min_amount": step.min_amount,
            "approvers": [user.id for user in step.approvers],
        }
        for step in steps
    ]


def _key(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "step"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def save_chain(
    session: Session, department_id: int, drafts: list[StepDraft], actor: Actor
) -> list[ApprovalStep]:
    """Replace the department's chain with ``drafts``, in their order; audited."""
    if not drafts:
        raise ChainRefused("empty")
    current = {step.id: step for step in chain_of(session, department_id)}
    before = _describe(list(current.values()))
    kept = {draft.step_id for draft in drafts if draft.step_id is not None}
    if kept - current.keys():
        raise ChainRefused("unknown_step")
    removed = [step for step_id, step in current.items() if step_id not in kept]
    if removed and session.scalar(
        select(ApprovalDecision.id)
        .where(ApprovalDecision.step_id.in_([step.id for step in removed]))
        .limit(1)
    ):
        raise ChainRefused("step_decided")
    for step in removed:
        session.delete(step)
    # Positions are unique per department: park the kept ones out of the way first.
    for offset, step in enumerate(current.values(), start=1):
        step.position = -offset
    session.flush()
    keys = {step.key for step in current.values() if step.id in kept}
    chain = []
    for position, draft in enumerate(drafts, start=1):
        if draft.step_id is not None:
            step = current[draft.step_id]
        else:
            step = ApprovalStep(department_id=department_id, key=_key(draft.name_en, keys))
            keys.add(step.key)
            session.add(step)
        step.position, step.name_en, step.name_fr = position, draft.name_en, draft.name_fr
        step.min_amount = draft.min_amount
        step.approvers = list(
            session.scalars(select(PanelUser).where(PanelUser.id.in_(sorted(draft.approver_ids))))
        )
        chain.append(step)
    session.flush()
    record(
        session,
        actor,
        "approval.chain_saved",
        "department",
        department_id,
        before={"steps": before},
        after={"steps": _describe(chain)},
    )
    return chain
