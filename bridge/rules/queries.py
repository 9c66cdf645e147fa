"""Reading findings, as the panel and the approvals need them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bridge.pagination import Page, paginate
from bridge.rules.models import RuleEvaluation, RuleFinding
from bridge.sync.models import Opportunity

# The findings that say a text needs a translation (missing, or made from an older text).
NEEDS_TRANSLATION = ("bilingual.missing", "bilingual.outdated")


def current_evaluation(session: Session, opportunity_id: str) -> RuleEvaluation | None:
    return session.scalar(
        select(RuleEvaluation)
        .where(RuleEvaluation.opportunity_id == opportunity_id, RuleEvaluation.current.is_(True))
        .options(selectinload(RuleEvaluation.findings))
    )


def routed_to(departments: Collection[int]) -> Select[str]:
    """The ids of the opportunities the rules route to these departments."""
    return select(RuleEvaluation.opportunity_id).where(
        RuleEvaluation.current.is_(True), RuleEvaluation.department_id.in_(list(departments))
    )


def attention_query(department_id: int | None, unrouted: bool) -> Select[RuleEvaluation]:
    """Opportunities whose current findings block or warn, most blocking first."""
    query = (
        select(RuleEvaluation)
        .options(selectinload(RuleEvaluation.opportunity), selectinload(RuleEvaluation.findings))
        .join(Opportunity, Opportunity.id == RuleEvaluation.opportunity_id)
        .where(
            RuleEvaluation.current.is_(True),
            Opportunity.removed_at.is_(None),
            or_(RuleEvaluation.blocking > 0, RuleEvaluation.warnings > 0),
        )
        .order_by(RuleEvaluation.blocking.desc(), RuleEvaluation.warnings.desc(), Opportunity.id)
    )
    if unrouted:
        return query.where(RuleEvaluation.department_id.is_(None))
    if department_id is not None:
        return query.where(RuleEvaluation.department_id == department_id)
    return query


def needing_attention(
    session: Session, department_id: int | None, unrouted: bool, number: int, size: int
) -> Page[RuleEvaluation]:
    return paginate(session, attention_query(department_id, unrouted), number, size)


def unrouted(session: Session, number: int, size: int) -> Page[RuleEvaluation]:
    """Live opportunities no department claims: an administrator assigns them."""
    query = (
        select(RuleEvaluation)
        .options(selectinload(RuleEvaluation.opportunity))
        .join(Opportunity, Opportunity.id == RuleEvaluation.opportunity_id)
        .where(
            RuleEvaluation.current.is_(True),
            RuleEvaluation.department_id.is_(None),
            Opportunity.removed_at.is_(None),
        )
        .order_by(Opportunity.marketplace_updated_at.desc(), Opportunity.id.desc())
    )
    return paginate(session, query, number, size)


def count_current_findings(
    session: Session, *, message_keys: Sequence[str] | None = None, rule: str | None = None
) -> int:
    """Findings of the current evaluations, by message key or by rule (for the dashboard)."""
    query = (
        select(func.count(RuleFinding.id))
        .join(RuleEvaluation, RuleEvaluation.id == RuleFinding.evaluation_id)
        .where(RuleEvaluation.current.is_(True))
    )
    if message_keys is not None:
        query = query.where(RuleFinding.message_key.in_(list(message_keys)))
    if rule is not None:
        query = query.where(RuleFinding.rule == rule)
    return session.scalar(query) or 0


def count_unrouted(session: Session) -> int:
    query = (
        select(func.count(RuleEvaluation.id))
        .join(Opportunity, Opportunity.id == RuleEvaluation.opportunity_id)
        .where(
            RuleEvaluation.current.is_(True),
            RuleEvaluation.department_id.is_(None),
            Opportunity.removed_at.is_(None),
        )
    )
    return session.scalar(query) or 0


def fields_needing_translation(
    session: Session, department_id: int | None = None
) -> dict[str, set[str]]:
    """Opportunity id → the fields whose current findings say the translation is missing or
    outdated (of one department's opportunities, if given)."""
    query = (
        select(RuleFinding.field, RuleEvaluation.opportunity_id)
        .join(RuleEvaluation, RuleEvaluation.id == RuleFinding.evaluation_id)
        .where(
            RuleEvaluation.current.is_(True),
            RuleFinding.message_key.in_(NEEDS_TRANSLATION),
        )
    )
    if department_id is not None:
        query = query.where(RuleEvaluation.department_id == department_id)
    wanted: dict[str, set[str]] = defaultdict(set)
    for field, opportunity_id in session.execute(query):
        if field:
            wanted[opportunity_id].add(field)
    return wanted
