"""Gathers the contexts of a batch of opportunities from the database, sharing the lookups
they have in common (departments by author, a department's awards and postings)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bridge.awards.models import AwardAmendment
from bridge.departments.models import OpportunityDepartment
from bridge.departments.service import DepartmentDirectory
from bridge.rules.context import RelatedAward, RelatedPosting, RuleContext, Supplier, TextField
from bridge.rules.settings import RuleSettings
from bridge.sync.models import Award, MarketplaceUser, Opportunity, Proposal
from bridge.translations.models import Translation
from bridge.translations.texts import (
    TranslationSnapshot,
    authored_fields,
    by_author,
    language_of,
)

# Proposals in these states are not (or no longer) offers that could be awarded.
NOT_OFFERS = frozenset({"DRAFT", "DISQUALIFIED", "WITHDRAWN", "NOT_AWARDED"})
ZERO = Decimal("0.00")
CENTS = Decimal("0.01")


def supplier_of(
    proponent_type: str, proponent_id: str | None, name: str | None, email: str | None
) -> Supplier:
    """Individuals are one supplier across accounts with the same e-mail address."""
    if proponent_type == "individual" and email:
        return Supplier(key=f"individual:{email.strip().lower()}", name=name or email)
    return Supplier(key=f"{proponent_type}:{proponent_id}", name=name or str(proponent_id))


def posted_at(opportunity: Opportunity) -> datetime:
    return opportunity.published_at or opportunity.marketplace_created_at


# The same moment in SQL: when it was published, or else created.
POSTED_AT = func.coalesce(Opportunity.published_at, Opportunity.marketplace_created_at)


class DepartmentLookups:
    """What the opportunities of a department share: their authors' departments, the awards
    and the postings the splitting check compares with, each read once.

    A batch's builder makes its own (the data a sync writes moves under it); a pass over every
    opportunity shares one across its batches, under the run lock that keeps the sync out:
    read again for each batch of 200, a department's postings made re-judging 10,000
    opportunities quadratic."""

    def __init__(self) -> None:
        self._directory: DepartmentDirectory | None = None
        self._assigned: dict[str, int] | None = None
        self._departments_by_author: dict[str, int | None] | None = None
        self._amendments: dict[str, Decimal] | None = None
        self._awards: dict[int, _Timeline[RelatedAward]] = {}
        self._postings: dict[int, _Timeline[RelatedPosting]] = {}

    def department(
        self, session: Session, opportunity_id: str, author_id: str | None
    ) -> int | None:
        assigned = self._assigned_departments(session)
        if opportunity_id in assigned:
            return assigned[opportunity_id]
        return self._author_departments(session).get(author_id) if author_id else None

    def _assigned_departments(self, session: Session) -> dict[str, int]:
        """Departments administrators gave to opportunities their authors' domains did not
        route."""
        if self._assigned is None:
            self._assigned = dict(
                iter(
                    session.execute(
                        select(
                            OpportunityDepartment.opportunity_id,
                            OpportunityDepartment.department_id,
                        )
                    )
                )
            )
        return self._assigned

    def _author_departments(self, session: Session) -> dict[str, int | None]:
        """Every marketplace user's department by e-mail domain."""
        if self._departments_by_author is None:
            if self._directory is None:
                self._directory = DepartmentDirectory.load(session)
            directory = self._directory
            users = session.execute(select(MarketplaceUser.id, MarketplaceUser.email))
            self._departments_by_author = {
                user_id: directory.for_email(email) for user_id, email in users
            }
        return self._departments_by_author

    def _in_department(self, session: Session, department_id: int) -> ColumnElement[bool]:
        """Candidates in SQL (by author or assignment); ``department`` has the last word."""
        assigned = [
            key
            for key, value in self._assigned_departments(session).items()
            if value == department_id
        ]
        authors = [
            user_id
            for user_id, found in self._author_departments(session).items()
            if found == department_id
        ]
        return or_(Opportunity.created_by_id.in_(authors), Opportunity.id.in_(assigned))

    def awards(self, session: Session, department_id: int) -> _Timeline[RelatedAward]:
        if department_id not in self._awards:
            amendments = self._amendment_totals(session)
            rows = session.execute(
                select(Award, Opportunity.title, Opportunity.created_by_id)
                .join(Opportunity, Opportunity.id == Award.opportunity_id)
                .where(
                    Opportunity.removed_at.is_(None), self._in_department(session, department_id)
                )
            )
            awards = [
                RelatedAward(
                    opportunity_id=award.opportunity_id,
                    title=title,
                    supplier=supplier_of(
                        award.proponent_type,
                        award.proponent_id,
                        award.supplier_name,
                        award.supplier_email,
                    ),
                    value=award.amount + amendments.get(award.opportunity_id, ZERO),
                    awarded_at=award.awarded_at,
                )
                for award, title, author in rows
                if self.department(session, award.opportunity_id, author) == department_id
            ]
            awards.sort(key=lambda item: (item.awarded_at, item.opportunity_id))
            self._awards[department_id] = _Timeline(awards, [item.awarded_at for item in awards])
        return self._awards[department_id]

    def _amendment_totals(self, session: Session) -> dict[str, Decimal]:
        """Every award's amendments added up, read once for all the departments."""
        if self._amendments is None:
            totals = select(AwardAmendment.opportunity_id, func.sum(AwardAmendment.amount_change))
            self._amendments = {
                key: Decimal(str(total))
                for key, total in session.execute(totals.group_by(AwardAmendment.opportunity_id))
            }
        return self._amendments

    def postings(self, session: Session, department_id: int) -> _Timeline[RelatedPosting]:
        if department_id not in self._postings:
            rows = session.execute(
                select(
                    Opportunity.id,
                    Opportunity.title,
                    Opportunity.description,
                    Opportunity.amount,
                    POSTED_AT,
                    Opportunity.created_by_id,
                ).where(
                    Opportunity.removed_at.is_(None),
                    Opportunity.status != "CANCELED",
                    self._in_department(session, department_id),
                )
            )
            postings = [
                RelatedPosting(identifier, title, f"{title}\n{description}", amount, _aware(posted))
                for identifier, title, description, amount, posted, author in rows
                if self.department(session, identifier, author) == department_id
            ]
            postings.sort(key=lambda item: (item.posted_at, item.opportunity_id))
            self._postings[department_id] = _Timeline(
                postings, [item.posted_at for item in postings]
            )
        return self._postings[department_id]


class ContextBuilder:
    """Builds contexts for a batch of opportunities, sharing the lookups they have in common."""

    def __init__(
        self,
        session: Session,
        settings: RuleSettings,
        now: datetime,
        lookups: DepartmentLookups | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.now = now
        self.lookups = lookups or DepartmentLookups()

    def department_of(self, opportunity: Opportunity) -> int | None:
        return self.lookups.department(self.session, opportunity.id, opportunity.created_by_id)

    def build_all(self, opportunities: Sequence[Opportunity]) -> list[RuleContext]:
        """The contexts of a batch, with one query per kind of row for the whole batch (its
        translations, awards, amendments and offers) rather than one per opportunity."""
        ids = [opportunity.id for opportunity in opportunities]
        batch = _BatchRows.load(self.session, ids)
        return [self._build(opportunity, batch) for opportunity in opportunities]

    def _build(self, opportunity: Opportunity, batch: _BatchRows) -> RuleContext:
        snapshots = batch.translations.get(opportunity.id, {})
        fields = authored_fields(
            opportunity, {name: snapshot.text for name, snapshot in snapshots.items()}
        )
        department_id = self.department_of(opportunity)
        award = batch.awards.get(opportunity.id)
        related = self._department_awards(opportunity, department_id, award)
        return RuleContext(
            opportunity_id=opportunity.id,
            kind=opportunity.kind,
            status=opportunity.status,
            version=opportunity.version,
            title=opportunity.title,
            text=f"{opportunity.title}\n{opportunity.description}",
            amount=opportunity.amount,
            posted_at=posted_at(opportunity),
            source_language=language_of({name: text for name, text, _both in fields}),
            texts=tuple(
                TextField(name, source, snapshots.get(name) or by_author(both))
                for name, source, both in fields
            ),
            department_id=department_id,
            settings=self.settings,
            now=self.now,
            award=self._award(opportunity, award) if award is not None else None,
            amendments_total=batch.amendments.get(opportunity.id, ZERO) if award else ZERO,
            prospective_suppliers=batch.offers.get(opportunity.id, ()) if award is None else (),
            department_awards=related,
            department_postings=self._department_postings(opportunity, department_id),
        )

    def _award(self, opportunity: Opportunity, award: Award) -> RelatedAward:
        return RelatedAward(
            opportunity_id=opportunity.id,
            title=opportunity.title,
            supplier=supplier_of(
                award.proponent_type, award.proponent_id, award.supplier_name, award.supplier_email
            ),
            value=award.amount,
            awarded_at=award.awarded_at,
        )

    def _department_awards(
        self, opportunity: Opportunity, department_id: int | None, award: Award | None
    ) -> tuple[RelatedAward, ...]:
        if department_id is None:
            return ()
        window = timedelta(days=self.settings.award_window_days)
        anchor = award.awarded_at if award is not None else self.now
        awards = self.lookups.awards(self.session, department_id)
        return tuple(
            item for item in awards.around(anchor, window) if item.opportunity_id != opportunity.id
        )

    def _department_postings(
        self, opportunity: Opportunity, department_id: int | None
    ) -> tuple[RelatedPosting, ...]:
        if department_id is None:
            return ()
        window = timedelta(days=self.settings.posting_window_days)
        postings = self.lookups.postings(self.session, department_id)
        return tuple(
            item
            for item in postings.around(posted_at(opportunity), window)
            if item.opportunity_id != opportunity.id
        )


@dataclass(frozen=True)
class _BatchRows:
    """What each opportunity of a batch has of its own, read for the whole batch at once."""

    translations: dict[str, dict[str, TranslationSnapshot]]
    awards: dict[str, Award]
    amendments: dict[str, Decimal]
    offers: dict[str, tuple[Supplier, ...]]

    @classmethod
    def load(cls, session: Session, ids: Sequence[str]) -> _BatchRows:
        translations: dict[str, dict[str, TranslationSnapshot]] = defaultdict(dict)
        for row in session.scalars(select(Translation).where(Translation.opportunity_id.in_(ids))):
            translations[row.opportunity_id][row.field] = TranslationSnapshot(
                row.text, row.source_hash, row.target_language
            )
        awards = {
            award.opportunity_id: award
            for award in session.scalars(select(Award).where(Award.opportunity_id.in_(ids)))
        }
        totals = session.execute(
            select(AwardAmendment.opportunity_id, func.sum(AwardAmendment.amount_change))
            .where(AwardAmendment.opportunity_id.in_(list(awards)))
            .group_by(AwardAmendment.opportunity_id)
        )
        amendments = {key: Decimal(str(total)).quantize(CENTS) for key, total in totals}
        proposals = session.scalars(
            select(Proposal)
            .where(
                Proposal.opportunity_id.in_([key for key in ids if key not in awards]),
                Proposal.removed_at.is_(None),
                Proposal.status.not_in(NOT_OFFERS),
            )
            .order_by(Proposal.opportunity_id)
        )
        offers = {
            opportunity_id: _distinct_suppliers(
                supplier_of(p.proponent_type, p.proponent_id, p.proponent_name, p.proponent_email)
                for p in group
            )
            for opportunity_id, group in groupby(proposals, key=lambda p: p.opportunity_id)
        }
        return cls(dict(translations), awards, amendments, offers)


def _distinct_suppliers(suppliers: Iterable[Supplier]) -> tuple[Supplier, ...]:
    """One per supplier (individuals by e-mail), in a stable order."""
    by_key = {supplier.key: supplier for supplier in suppliers}
    return tuple(by_key[key] for key in sorted(by_key))


T = TypeVar("T")


@dataclass(frozen=True)
class _Timeline(Generic[T]):
    """Items sorted by a moment, with those moments, for windows around an anchor."""

    items: list[T]
    moments: list[datetime]

    def around(self, anchor: datetime, window: timedelta) -> list[T]:
        """The items from ``anchor - window`` to ``anchor + window``."""
        low = bisect_left(self.moments, anchor - window)
        return self.items[low : bisect_right(self.moments, anchor + window)]


def _aware(moment: datetime) -> datetime:
    """``coalesce`` of two columns loses the column type on SQLite: the text comes back naive."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_opportunities(session: Session, ids: Sequence[str]) -> list[Opportunity]:
    return list(
        session.scalars(
            select(Opportunity)
            .where(Opportunity.id.in_(ids), Opportunity.removed_at.is_(None))
            .options(selectinload(Opportunity.addenda))
            .order_by(Opportunity.id)
        )
    )
