"""Official Languages Act: every text an opportunity carries exists in English and in French.

The marketplace holds one language (English or French, detected); the bridge keeps the other.
For each text field: the translation must exist, be made from the current text, really be in
the other language (not the source again, not the same language), and agree with the source on
the facts a reader acts on (amounts, dates, web and e-mail addresses, list items, headings).
A length far from the source's is a warning: something may be missing or added.
"""

from __future__ import annotations

from functools import lru_cache

from bridge.catalogs import Language
from bridge.marketplace.limits import CWU_FIELD_UNITS, units
from bridge.rules.context import RuleContext, TextField
from bridge.rules.findings import Finding, Severity
from bridge.text.facts import compare_facts, extract_facts
from bridge.text.language import CACHED_TEXTS, MIN_WORDS, detect_language, word_count
from bridge.text.length import is_plausible_length, length_ratio
from bridge.text.plain_text import words
from bridge.translations.public_copy import bilingual_copy


def _published_length(
    context: RuleContext, field: str, source: str, translation: str, target: Language
) -> dict[str, int] | None:
    """The figures of a bilingual copy of ``field`` that the marketplace would refuse; None
    when it fits. Code With Us opportunities are published with both languages in each field,
    so this is found when the translation is saved, long before anyone publishes."""
    limit = CWU_FIELD_UNITS.get(field)
    if context.kind != "code-with-us" or limit is None:
        return None
    joined = bilingual_copy({field: source}, {field: translation}, target).get(field, source)
    if units(joined) <= limit:
        return None
    return {
        "joined": units(joined),
        "limit": limit,
        "source_units": units(source),
        "translation_units": units(translation.strip()),
    }


# A name runs to a few words (a place, an organisation, an acronym); a Title Case English title
# runs longer, and is translated.
NAME_WORDS = 3


@lru_cache(maxsize=CACHED_TEXTS)
def needs_translation(source: str) -> bool:
    """False for text nothing in which a translator would change: web and e-mail addresses,
    code and numbers (no words are left), or a name of a few words, each capitalised. Cached:
    an opportunity has about nine texts, most of them (a place, a remote-work answer, the
    same skills) found on many others, and finding a description's words is not free."""
    found = words(source)
    return len(found) > NAME_WORDS or any(word[:1].islower() for word in found)


def _same_text(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


class BilingualRule:
    name = "bilingual"

    def evaluate(self, context: RuleContext) -> list[Finding]:
        findings: list[Finding] = []
        for text in context.texts:
            findings.extend(self._check(context, text))
        return findings

    def _check(self, context: RuleContext, text: TextField) -> list[Finding]:
        language = context.target_language
        params = {"language": language}

        def finding(key: str, severity: Severity = Severity.BLOCK, **extra: object) -> Finding:
            return Finding(self.name, severity, key, {**params, **extra}, field=text.name)

        translation = text.translation
        missing = translation is None or not translation.text.strip()
        if not needs_translation(text.source) and (
            missing or (translation is not None and _same_text(text.source, translation.text))
        ):
            return []  # an address, a code, a place: the same in both languages
        if translation is None or missing:
            return [finding("bilingual.missing")]
        if text.outdated or translation.target_language != language:
            return [finding("bilingual.outdated")]
        found: list[Finding] = []
        if word_count(text.source) >= MIN_WORDS and _same_text(text.source, translation.text):
            return [finding("bilingual.identical")]
        detected = detect_language(translation.text)
        if detected is not None and detected != language:
            found.append(finding("bilingual.wrong_language", found=detected))
        for disagreement in compare_facts(
            extract_facts(text.source), extract_facts(translation.text)
        ):
            found.append(
                finding(
                    "bilingual.facts_disagree",
                    what=disagreement.kind,
                    in_source=", ".join(disagreement.in_source) or "-",
                    in_translation=", ".join(disagreement.in_translation) or "-",
                )
            )
        fit = _published_length(context, text.name, text.source, translation.text, language)
        if fit is not None:
            found.append(finding("bilingual.too_long", Severity.BLOCK, **fit))
        settings = context.settings
        low, high = float(settings.length_ratio_low), float(settings.length_ratio_high)
        if not is_plausible_length(text.source, translation.text, low, high):
            ratio = length_ratio(text.source, translation.text)
            found.append(finding("bilingual.length", Severity.WARN, ratio=f"{ratio:.2f}"))
        return found
