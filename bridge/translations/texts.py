"""The texts of an opportunity as its author wrote them, and in which language.

The marketplace holds one text per field; the bridge may have published a bilingual copy of it,
and an author may have written both languages in one field. These functions give back the
author's own text, field by field (addenda included), and its language: what the rules judge,
what translators translate, what a translation is made from (its hash).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.catalogs import Language
from bridge.sync.models import Opportunity
from bridge.text.language import detect_language
from bridge.translations.authored_bilingual import BothLanguages, split_both_languages
from bridge.translations.public_copy import authored_text

# The text fields an opportunity carries, in the order people read them.
TEXT_FIELDS = (
    "title",
    "teaser",
    "description",
    "acceptance_criteria",
    "evaluation_criteria",
    "submission_info",
    "location",
    "remote_desc",
)
ADDENDUM_PREFIX = "addendum:"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TranslationSnapshot:
    text: str
    source_hash: str
    target_language: str


def authored_fields(
    opportunity: Opportunity, translations: Mapping[str, str] | None
) -> list[tuple[str, str, BothLanguages | None]]:
    """``(field, the author's text in its first language, both languages if the author wrote
    them)`` of every non-empty text field, addenda included."""
    known = translations or {}
    texts: list[tuple[str, str, BothLanguages | None]] = []
    for name in TEXT_FIELDS:
        text = getattr(opportunity, name) or ""
        both = None if name in known else split_both_languages(name, text)
        texts.append(
            (name, both.first if both else authored_text(name, text, known.get(name, "")), both)
        )
    texts += [
        (f"{ADDENDUM_PREFIX}{item.id}", item.description, None) for item in opportunity.addenda
    ]
    return [(name, text, both) for name, text, both in texts if text.strip()]


def source_texts(
    opportunity: Opportunity, translations: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """``(field, text the author wrote)`` of every non-empty text field, addenda included.

    ``translations`` (field → stored translation) lets the bilingual copy the bridge published
    be told from the author's text (see ``public_copy.authored_text``); a field without one
    that its author wrote in both languages gives its first language's part.
    """
    return [(name, text) for name, text, _both in authored_fields(opportunity, translations)]


def author_translations(
    opportunity: Opportunity, translations: Mapping[str, str] | None = None
) -> dict[str, BothLanguages]:
    """Field → both parts, for the fields without a stored translation that their author wrote
    in both languages: the second part is their translation."""
    return {name: both for name, _text, both in authored_fields(opportunity, translations) if both}


def by_author(both: BothLanguages | None) -> TranslationSnapshot | None:
    if both is None:
        return None
    return TranslationSnapshot(both.second, text_hash(both.first), both.second_language)


def source_language(
    opportunity: Opportunity, translations: Mapping[str, str] | None = None
) -> Language:
    """The language the author wrote in; English when the text is too short to tell."""
    return language_of(dict(source_texts(opportunity, translations)))


def language_of(texts: Mapping[str, str]) -> Language:
    """``source_language`` from the author's texts by field (``source_texts``)."""
    sample = "\n".join(texts.get(name, "") for name in ("title", "teaser", "description"))
    return detect_language(sample) or "en"
