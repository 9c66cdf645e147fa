"""The public marketplace copy of an opportunity in both official languages.

Until a fork of the marketplace reads the French from the bridge, the only way for the public to
see both languages is for the published text to carry both. Long fields get the other language
under a clear heading after a rule; short ones (title, teaser, location) get both versions joined
by " / ", the convention of bilingual GC titles. Texts already carrying the heading are not
doubled, so composing twice gives the same copy (a retried publish writes the same edit).
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.rules.context import Language

LONG_FIELDS = ("description", "acceptance_criteria", "evaluation_criteria", "submission_info",
               "remote_desc")  # fmt: skip
SHORT_FIELDS = ("title", "teaser", "location")
# The heading is written in the language it introduces, as on Canada.ca.
HEADINGS: dict[Language, str] = {"fr": "Version française", "en": "English version"}
SEPARATOR = "\n\n---\n\n"
# The marketplace's edit command spells fields in camelCase.
MARKETPLACE_NAMES = {
    "title": "title", "teaser": "teaser", "location": "location", "description": "description",
    "acceptance_criteria": "acceptanceCriteria", "evaluation_criteria": "evaluationCriteria",
    "submission_info": "submissionInfo", "remote_desc": "remoteDesc",
}  # fmt: skip


def _long(source: str, translation: str, target: Language) -> str:
    heading = f"## {HEADINGS[target]}"
    if heading in source:
        source = source.split(SEPARATOR + heading, 1)[0]
    return f"{source}{SEPARATOR}{heading}\n\n{translation}"


def _short(source: str, translation: str) -> str:
    if source.strip() == translation.strip():
        return source  # a place name is the same in both
    suffix = f" / {translation}"
    return source if source.endswith(suffix) else f"{source}{suffix}"


def bilingual_copy(
    sources: Mapping[str, str], translations: Mapping[str, str], target: Language
) -> dict[str, str]:
    """Marketplace field name → text in both languages, for every field that has both."""
    copy: dict[str, str] = {}
    for field, source in sources.items():
        translation = translations.get(field, "").strip()
        if not source.strip() or not translation or field not in MARKETPLACE_NAMES:
            continue
        text = (
            _long(source, translation, target)
            if field in LONG_FIELDS
            else _short(source, translation)
        )
        copy[MARKETPLACE_NAMES[field]] = text
    return copy
