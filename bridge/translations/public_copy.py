"""The public marketplace copy of an opportunity in both official languages.

Until a fork of the marketplace reads the French from the bridge, the only way for the public to
see both languages is for the published text to carry both. Long fields get the other language
under a clear heading after a rule; short ones (title, teaser, location) get both versions joined
by " / ", the convention of bilingual GC titles. Texts already carrying the heading are not
doubled, so composing twice gives the same copy (a retried publish writes the same edit).

Once published, the marketplace holds the composed copy, and the sync reads it back. The bridge
judges and translates what the author wrote, so ``authored_text`` takes the added language off
again: without it every translation would look outdated the moment it was published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.catalogs import Language

LONG_FIELDS = (
    "description",
    "acceptance_criteria",
    "evaluation_criteria",
    "submission_info",
    "remote_desc",
)
SHORT_FIELDS = ("title", "teaser", "location")
# The heading is written in the language it introduces, as on Canada.ca.
HEADINGS: dict[Language, str] = {"fr": "Version française", "en": "English version"}
SEPARATOR = "\n\n---\n\n"
# The marketplace's edit command spells fields in camelCase.
MARKETPLACE_NAMES = {
    "title": "title",
    "teaser": "teaser",
    "location": "location",
    "description": "description",
    "acceptance_criteria": "acceptanceCriteria",
    "evaluation_criteria": "evaluationCriteria",
    "submission_info": "submissionInfo",
    "remote_desc": "remoteDesc",
}


def authored_text(field: str, text: str, translation: str = "") -> str:
    """``text`` without the other language the bridge added to it on publication."""
    if field in LONG_FIELDS:
        for heading in HEADINGS.values():
            text = text.split(f"{SEPARATOR}## {heading}", 1)[0]
        return text
    suffix = f" / {translation.strip()}"
    if field in SHORT_FIELDS and translation.strip() and text.endswith(suffix):
        return text[: -len(suffix)]
    return text


def _long(source: str, translation: str, target: Language) -> str:
    return f"{source}{SEPARATOR}## {HEADINGS[target]}\n\n{translation}"


def _short(source: str, translation: str) -> str:
    if source.strip() == translation.strip():
        return source  # a place name is the same in both
    return f"{source} / {translation}"


def bilingual_copy(
    sources: Mapping[str, str], translations: Mapping[str, str], target: Language
) -> dict[str, str]:
    """Field → text in both languages, for every field that has both."""
    copy: dict[str, str] = {}
    for field, text in sources.items():
        translation = translations.get(field, "").strip()
        source = authored_text(field, text, translation)
        if not source.strip() or not translation or field not in MARKETPLACE_NAMES:
            continue
        copy[field] = (
            _long(source, translation, target)
            if field in LONG_FIELDS
            else _short(source, translation)
        )
    return copy


def marketplace_fields(copy: Mapping[str, str]) -> dict[str, str]:
    """The copy under the marketplace's field names, for its ``edit`` command."""
    return {MARKETPLACE_NAMES[field]: text for field, text in copy.items()}
