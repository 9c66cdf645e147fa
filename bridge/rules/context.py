"""Everything a rule may look at, gathered once per opportunity so that rules stay pure.

Rules are adapters: they get a ``RuleContext`` and return findings, with no database and no
clock of their own, which makes each one testable at its boundaries with plain values. These
are the types only; ``builder`` gathers them from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bridge.catalogs import Language
from bridge.rules.settings import RuleSettings
from bridge.translations.texts import TranslationSnapshot, text_hash


@dataclass(frozen=True)
class TextField:
    """One marketplace text and the bridge's translation of it, if any."""

    name: str
    source: str
    translation: TranslationSnapshot | None

    @property
    def outdated(self) -> bool:
        return self.translation is not None and self.translation.source_hash != text_hash(
            self.source
        )


@dataclass(frozen=True)
class Supplier:
    """A supplier as GC contracting sees it: an organization, or a person by e-mail."""

    key: str
    name: str


@dataclass(frozen=True)
class RelatedAward:
    opportunity_id: str
    title: str
    supplier: Supplier
    value: Decimal
    awarded_at: datetime


@dataclass(frozen=True)
class RelatedPosting:
    opportunity_id: str
    title: str
    text: str
    value: Decimal
    posted_at: datetime


@dataclass(frozen=True)
class RuleContext:
    opportunity_id: str
    kind: str
    status: str
    version: int
    title: str
    text: str  # title and description together: what near-duplicate postings share
    amount: Decimal
    posted_at: datetime
    source_language: Language
    texts: tuple[TextField, ...]
    department_id: int | None
    settings: RuleSettings
    # When the evaluation happens: a prospective award is judged as if made now.
    now: datetime
    award: RelatedAward | None = None
    amendments_total: Decimal = Decimal("0.00")
    # Who could still be awarded this one (its offers), before it is awarded.
    prospective_suppliers: tuple[Supplier, ...] = ()
    # The department's other awards and postings within the rule windows.
    department_awards: tuple[RelatedAward, ...] = field(default=())
    department_postings: tuple[RelatedPosting, ...] = field(default=())

    @property
    def target_language(self) -> Language:
        return "fr" if self.source_language == "en" else "en"
