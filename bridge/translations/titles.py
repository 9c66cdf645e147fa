"""Opportunity titles in each official language, for lists, page titles and messages.

The marketplace holds a title in one language (or, once the bridge has published, both joined
by " / "); the other comes from the bridge's saved translation, or from the author's own when
they wrote both. A reader should see the title in their language wherever one exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.sync.models import Opportunity
from bridge.translations.authored_bilingual import split_both_languages
from bridge.translations.models import Translation
from bridge.translations.public_copy import authored_text
from bridge.translations.texts import text_hash

TitleByLanguage = dict[str, str]


def titles_by_language(
    session: Session, opportunity_ids: Iterable[str]
) -> dict[str, TitleByLanguage]:
    """Opportunity id → {"en": …, "fr": …}; both the marketplace's title where nothing else is
    known. Two queries, whatever the number of opportunities (lists ask for a page at once)."""
    wanted = set(opportunity_ids)
    if not wanted:
        return {}
    stored = {
        row.opportunity_id: row
        for row in session.scalars(
            select(Translation).where(
                Translation.opportunity_id.in_(wanted), Translation.field == "title"
            )
        )
    }
    titles: dict[str, TitleByLanguage] = {}
    for opportunity_id, title in session.execute(
        select(Opportunity.id, Opportunity.title).where(Opportunity.id.in_(wanted))
    ):
        titles[opportunity_id] = by_language(title, stored.get(opportunity_id))
    return titles


def by_language(title: str, translation: Translation | None) -> TitleByLanguage:
    """One title in each language, from the marketplace's and its stored translation."""
    if translation is not None:
        source = authored_text("title", title, translation.text)
        if translation.source_hash == text_hash(source) and translation.text.strip():
            return {
                translation.source_language: source,
                translation.target_language: translation.text,
            }
        return {"en": source, "fr": source}  # outdated: the author's text is the truth
    both = split_both_languages("title", title)
    if both is not None:
        return {both.first_language: both.first, both.second_language: both.second}
    return {"en": title, "fr": title}
