"""The sentences behind finding message keys, in the reader's language.

Parameters named in ``MONEY_PARAMS`` are exact amounts and are formatted as money in the reader's
locale; ``LANGUAGE_PARAMS`` and ``KIND_PARAMS`` hold codes shown by their translated names.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from bridge.catalogs import N_plural

MESSAGES: dict[str, Any] = {
    "rule.failed": _l("This rule could not run on this opportunity; the operators are told."),
    "cap.kind_ineligible": _l(
        "%(kind)s opportunities are not eligible for micro-procurement under the rule settings."
    ),
    "cap.exceeded": _l("The contract value, %(value)s, is over the cap of %(cap)s by %(excess)s."),
    "cap.value_explained": _l(
        "Contract value for the cap: %(value)s (posted amount %(amount)s, amendments "
        "%(amendments)s, taxes %(taxes)s)."
    ),
    "splitting.awards": N_plural(
        "Possible contract splitting: %(count)s award to %(supplier)s by this department "
        "within %(days)s days totals %(total)s (with: %(others)s).",
        "Possible contract splitting: %(count)s awards to %(supplier)s by this department "
        "within %(days)s days total %(total)s (with: %(others)s).",
    ),
    "splitting.prospective": N_plural(
        "Awarding this to %(supplier)s would bring this department's awards to them within "
        "%(days)s days to %(total)s over %(count)s contract (with: %(others)s).",
        "Awarding this to %(supplier)s would bring this department's awards to them within "
        "%(days)s days to %(total)s over %(count)s contracts (with: %(others)s).",
    ),
    "splitting.postings": N_plural(
        "Possible contract splitting: %(count)s near-identical posting by this department "
        "within %(days)s days totals %(total)s (with: %(others)s).",
        "Possible contract splitting: %(count)s near-identical postings by this department "
        "within %(days)s days total %(total)s (with: %(others)s).",
    ),
    "bilingual.missing": _l("The %(language)s version is missing."),
    "bilingual.outdated": _l(
        "The %(language)s version was made from an earlier text; the marketplace text has "
        "changed since."
    ),
    "bilingual.identical": _l("The %(language)s version is the same as the source text."),
    "bilingual.wrong_language": _l(
        "The %(language)s version reads as %(found)s, not %(language)s."
    ),
    "bilingual.facts_disagree": _l(
        "The two versions disagree on %(what)s: source has %(in_source)s; translation has "
        "%(in_translation)s."
    ),
    "bilingual.length": _l(
        "The %(language)s version is %(ratio)s times as long as the source: check that nothing "
        "is missing or added."
    ),
    "bilingual.too_long": _l(
        "Published in both languages, this field would be %(joined)s characters long; the "
        "marketplace takes %(limit)s. Shorten the source (%(source_units)s) or the %(language)s "
        "version (%(translation_units)s)."
    ),
}

FACT_KINDS: dict[str, Any] = {
    "amounts": _l("amounts"),
    "dates": _l("dates"),
    "urls": _l("web addresses"),
    "emails": _l("e-mail addresses"),
    "list_items": _l("the number of list items"),
    "headings": _l("the number of headings"),
}

LANGUAGE_NAMES: dict[str, Any] = {"en": _l("English"), "fr": _l("French")}

MONEY_PARAMS = frozenset({"value", "cap", "excess", "amount", "amendments", "taxes", "total"})
LANGUAGE_PARAMS = frozenset({"language", "found"})
# Counts shown with the reader's digit grouping (10,000 / 10 000).
NUMBER_PARAMS = frozenset({"joined", "limit", "source_units", "translation_units", "count"})
KIND_PARAMS = frozenset({"kind"})
