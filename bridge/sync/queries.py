"""Reading the mirrored marketplace data, as the panel and later stages need it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from bridge.marketplace.vocabulary import OpportunityKind
from bridge.pagination import Page, paginate
from bridge.sync.models import (
    Award,
    MarketplaceUser,
    Opportunity,
    Proposal,
    QuarantinedRecord,
    SyncRun,
)


@dataclass(frozen=True)
class OpportunityFilter:
    kind: str | None = None
    status: str | None = None
    department_domains: Sequence[str] | None = None
    text: str | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def opportunities_query(criteria: OpportunityFilter) -> Select[Opportunity]:
    # A list row shows a few columns: the long texts and the raw payload stay in the database.
    listed = load_only(
        Opportunity.id,
        Opportunity.title,
        Opportunity.kind,
        Opportunity.status,
        Opportunity.amount,
        Opportunity.marketplace_updated_at,
    )
    query = select(Opportunity).options(listed).where(Opportunity.removed_at.is_(None))
    if criteria.kind:
        query = query.where(Opportunity.kind == criteria.kind)
    if criteria.status:
        query = query.where(Opportunity.status == criteria.status)
    if criteria.text:
        pattern = f"%{_like_escape(criteria.text.strip())}%"
        query = query.where(
            or_(
                Opportunity.title.ilike(pattern, escape="\\"),
                Opportunity.teaser.ilike(pattern, escape="\\"),
                Opportunity.location.ilike(pattern, escape="\\"),
            )
        )
    if criteria.department_domains is not None:
        patterns = [
            f"%{separator}{_like_escape(domain)}"
            for domain in criteria.department_domains
            for separator in ("@", ".")
        ]
        authors = select(MarketplaceUser.id).where(
            or_(*(MarketplaceUser.email.ilike(pattern, escape="\\") for pattern in patterns))
        )
        query = query.where(Opportunity.created_by_id.in_(authors))
    # Both descending, so that the listing index is read backwards, a page at a time.
    return query.order_by(Opportunity.marketplace_updated_at.desc(), Opportunity.id.desc())


def search_opportunities(
    session: Session, criteria: OpportunityFilter, page: int, size: int
) -> Page[Opportunity]:
    return paginate(session, opportunities_query(criteria), page, size)


def opportunity_with_everything(session: Session, opportunity_id: str) -> Opportunity | None:
    return session.scalar(
        select(Opportunity)
        .where(Opportunity.id == opportunity_id)
        .options(selectinload(Opportunity.addenda), selectinload(Opportunity.history))
    )


def proposals_of(session: Session, opportunity_id: str) -> list[Proposal]:
    return list(
        session.scalars(
            select(Proposal)
            .where(Proposal.opportunity_id == opportunity_id, Proposal.removed_at.is_(None))
            .order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id)
        )
    )


def award_of(session: Session, opportunity_id: str) -> Award | None:
    return session.get(Award, opportunity_id)


def proposals_page(
    session: Session, page: int, size: int, opportunities: Select[str] | None = None
) -> Page[Proposal]:
    """``opportunities``: only the proposals of the opportunities it selects (None: all)."""
    query = (
        select(Proposal)
        .where(Proposal.removed_at.is_(None))
        .order_by(Proposal.marketplace_updated_at.desc(), Proposal.id)
    )
    if opportunities is not None:
        query = query.where(Proposal.opportunity_id.in_(opportunities))
    return paginate(session, query, page, size)


def awards_page(session: Session, page: int, size: int) -> Page[Award]:
    return paginate(session, select(Award).order_by(Award.awarded_at.desc()), page, size)


def author_of(session: Session, opportunity: Opportunity) -> MarketplaceUser | None:
    return (
        session.get(MarketplaceUser, opportunity.created_by_id)
        if opportunity.created_by_id
        else None
    )


def runs_page(session: Session, page: int, size: int) -> Page[SyncRun]:
    return paginate(session, select(SyncRun).order_by(SyncRun.id.desc()), page, size)


def last_run(session: Session, outcome: str | None = None) -> SyncRun | None:
    query = select(SyncRun).order_by(SyncRun.id.desc()).limit(1)
    if outcome:
        query = query.where(SyncRun.outcome == outcome)
    return session.scalar(query)


def quarantine_page(
    session: Session, page: int, size: int, resolved: bool = False
) -> Page[QuarantinedRecord]:
    query = select(QuarantinedRecord).order_by(QuarantinedRecord.last_seen_at.desc())
    query = query.where(
        QuarantinedRecord.resolved_at.is_not(None)
        if resolved
        else QuarantinedRecord.resolved_at.is_(None)
    )
    return paginate(session, query, page, size)


def counts_by_kind_and_status(
    session: Session, model: type[Opportunity] | type[Proposal]
) -> dict[str, dict[str, int]]:
    """``{kind: {status: n}}`` of the records still on the marketplace, every kind present."""
    rows = session.execute(
        select(model.kind, model.status, func.count())
        .where(model.removed_at.is_(None))
        .group_by(model.kind, model.status)
    )
    counts: dict[str, dict[str, int]] = {kind.value: {} for kind in OpportunityKind}
    for kind, status, count in rows:
        counts.setdefault(kind, {})[status] = count
    return counts


def recent_runs(session: Session, limit: int = 10) -> list[SyncRun]:
    return list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def unresolved_quarantine_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuarantinedRecord)
            .where(QuarantinedRecord.resolved_at.is_(None))
        )
        or 0
    )


def award_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Award)) or 0
