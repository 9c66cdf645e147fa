"""Saving translations, listing what still needs one, and taking translations back in bulk.

Every save records the marketplace text it translates (its hash): that is how a later edit on the
marketplace makes the translation outdated. Nothing a translator sends is dropped: a translation
made from an older text is stored and shown as outdated, with a note in the import report.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bridge.audit.service import Actor, record
from bridge.catalogs import Language
from bridge.clock import utcnow
from bridge.sync.models import Opportunity
from bridge.translations.interchange import ExportUnit, ImportResult
from bridge.translations.models import Translation
from bridge.translations.public_copy import bilingual_copy
from bridge.translations.texts import author_translations, source_language, source_texts, text_hash


class UnknownField(ValueError):
    """The opportunity has no such text (or no longer has it)."""


@dataclass(frozen=True)
class FieldStatus:
    """One row of the translation editor."""

    field: str
    source: str
    translation: str
    outdated: bool
    # The text the translation was made from, when it differs from today's.
    previous_source: str | None

    @property
    def missing(self) -> bool:
        return not self.translation.strip()


def _other(language: str) -> str:
    return "fr" if language == "en" else "en"


def stored_translations(session: Session, opportunity_id: str) -> dict[str, Translation]:
    """Field → the stored translation of one opportunity's texts."""
    return {
        row.field: row
        for row in session.scalars(
            select(Translation).where(Translation.opportunity_id == opportunity_id)
        )
    }


def authored(session: Session, opportunity: Opportunity) -> tuple[list[tuple[str, str]], Language]:
    """The opportunity's texts as its author wrote them, and their language."""
    translations = {
        field: row.text for field, row in stored_translations(session, opportunity.id).items()
    }
    return (
        source_texts(opportunity, translations),
        source_language(opportunity, translations),
    )


def public_copy(session: Session, opportunity: Opportunity) -> dict[str, str]:
    """Field → text in both languages, from the current translations of its current texts."""
    _, language = authored(session, opportunity)
    statuses = [item for item in field_statuses(session, opportunity) if not item.outdated]
    sources = {item.field: item.source for item in statuses}
    translations = {item.field: item.translation for item in statuses}
    return bilingual_copy(sources, translations, "fr" if language == "en" else "en")


def field_statuses(session: Session, opportunity: Opportunity) -> list[FieldStatus]:
    """The editor's rows; a field its author wrote in both languages shows the author's second
    part as its translation until a translator saves one."""
    stored = stored_translations(session, opportunity.id)
    statuses = []
    texts, _ = authored(session, opportunity)
    by_author = author_translations(opportunity, {f: row.text for f, row in stored.items()})
    for field, source in texts:
        row = stored.get(field)
        outdated = row is not None and row.source_hash != text_hash(source)
        written = by_author.get(field)
        statuses.append(
            FieldStatus(
                field=field,
                source=source,
                translation=row.text if row else (written.second if written else ""),
                outdated=outdated,
                previous_source=row.source_text if row is not None and outdated else None,
            )
        )
    return statuses


def save_translation(
    session: Session,
    opportunity: Opportunity,
    field: str,
    text: str,
    actor: Actor,
    *,
    source_hash: str | None = None,
    now: datetime | None = None,
) -> Translation:
    """Store the translation of ``field`` as made from today's text (or from ``source_hash``)."""
    texts, language = authored(session, opportunity)
    sources = dict(texts)
    if field not in sources:
        raise UnknownField(field)
    now = now or utcnow()
    source = sources[field]
    row = session.scalar(
        select(Translation).where(
            Translation.opportunity_id == opportunity.id, Translation.field == field
        )
    )
    before = {"text": row.text, "source_hash": row.source_hash} if row is not None else None
    if row is None:
        row = Translation(opportunity_id=opportunity.id, field=field)
        session.add(row)
    made_from = source_hash or text_hash(source)
    row.source_language, row.target_language = language, _other(language)
    row.source_text = source if made_from == text_hash(source) else row.source_text or ""
    row.source_hash, row.text = made_from, text
    row.updated_at, row.updated_by = now, actor.name
    record(
        session,
        actor,
        "translation.saved",
        "opportunity",
        opportunity.id,
        before=before and {"field": field, **before},
        after={"field": field, "text": text, "source_hash": made_from},
        now=now,
    )
    session.flush()
    return row


def export_units(session: Session, wanted: Mapping[str, Collection[str]]) -> list[ExportUnit]:
    """The texts to send to translators: of each opportunity in ``wanted`` (id → fields), the
    fields named, as their authors wrote them today."""
    opportunities = session.scalars(
        select(Opportunity)
        .where(Opportunity.id.in_(list(wanted)), Opportunity.removed_at.is_(None))
        .options(selectinload(Opportunity.addenda))
        .order_by(Opportunity.id)
    )
    units = []
    for opportunity in opportunities:
        texts, language = authored(session, opportunity)
        for field, source in texts:
            if field in wanted[opportunity.id]:
                units.append(
                    ExportUnit(
                        unit_id=f"{opportunity.id}/{field}",
                        source_language=language,
                        target_language=_other(language),  # type: ignore[arg-type]
                        source_text=source,
                        source_hash=text_hash(source),
                        note=f"{opportunity.title} — {field}",
                    )
                )
    return units


@dataclass(frozen=True)
class ImportProblem:
    """A unit of an import that was refused, or stored with a caveat."""

    unit_id: str | None
    code: str
    stored: bool = False


@dataclass
class ImportOutcome:
    saved: int
    problems: list[ImportProblem]
    opportunity_ids: set[str]


def apply_import(
    session: Session, result: ImportResult, actor: Actor, now: datetime | None = None
) -> ImportOutcome:
    """Store every importable unit; report the others (and the caveats) per unit."""
    problems = [ImportProblem(error.unit_id, error.code) for error in result.errors]
    saved, touched = 0, set()
    for unit in result.units:
        opportunity_id, _, field = unit.unit_id.partition("/")
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None or opportunity.removed_at is not None or not field:
            problems.append(ImportProblem(unit.unit_id, "unknown_unit"))
            continue
        texts, language = authored(session, opportunity)
        sources = dict(texts)
        if field not in sources:
            problems.append(ImportProblem(unit.unit_id, "unknown_unit"))
            continue
        if unit.target_language != _other(language):
            problems.append(ImportProblem(unit.unit_id, "bad_language"))
            continue
        save_translation(
            session,
            opportunity,
            field,
            unit.target_text,
            actor,
            source_hash=unit.source_hash,
            now=now,
        )
        if unit.source_hash != text_hash(sources[field]):
            problems.append(ImportProblem(unit.unit_id, "source_changed", stored=True))
        saved += 1
        touched.add(opportunity.id)
    return ImportOutcome(saved=saved, problems=problems, opportunity_ids=touched)
