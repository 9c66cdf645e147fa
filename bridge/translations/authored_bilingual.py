"""Texts their author already wrote in both official languages on the marketplace.

Some authors write each field twice: a title "Bilingual content management fixes / Correctifs du
système de gestion de contenu bilingue", a description whose French follows under a heading
such as "Description (français)". The bridge recognises its own bilingual copy by its fixed
layout (``public_copy``); an author's follows no fixed layout, so it is recognised by what a
reader would see: two parts, the second introduced by a separator or a heading that names a
language, one part surely in one official language by the detector and the other leaning to
the other. The second part is then the field's translation, written by the author: nothing is
reported missing, and the rules judge it as they judge a translator's.

When a part is too short to be told apart (a place, a name), or both parts read as one
language, the text is not split: a false split would hide a missing translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bridge.catalogs import Language
from bridge.translations.public_copy import LONG_FIELDS, SHORT_FIELDS

# Words that, alone on a line or in parentheses after a label, announce a language's part.
LANGUAGE_WORDS: dict[Language, tuple[str, ...]] = {
    "fr": (
        "français",
        "francais",
        "french",
        "version française",
        "version francaise",
        "en français",
        "french version",
    ),
    "en": ("english", "anglais", "english version", "version anglaise", "en anglais"),
}
# Every name of LANGUAGE_WORDS holds one of these: a line without any announces no part.
_LANGUAGE_STEMS = ("fran", "french", "english", "anglais")
_DECORATION = re.compile(r"^[#>*_\s-]+|[*_:\s-]+$")
_IN_PARENTHESES = re.compile(r"\(([^()]*)\)\s*$")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")


@dataclass(frozen=True)
class BothLanguages:
    """The author's text in its first language, and the same text in the other."""

    first: str
    second: str
    first_language: Language
    second_language: Language


def _announced(line: str) -> Language | None:
    """The language a heading line introduces: "## Version française", "**French:**",
    "Description (français)"; ``None`` for any other line."""
    folded = line.casefold()
    if not any(stem in folded for stem in _LANGUAGE_STEMS):
        return None  # most lines: a tenth of the cost of reading their label
    label = _DECORATION.sub("", line.strip()).casefold()
    if not label or len(label) > 60:
        return None
    inside = _IN_PARENTHESES.search(label)
    candidates = [label, inside.group(1).strip()] if inside else [label]
    for language, names in LANGUAGE_WORDS.items():
        if any(candidate in names for candidate in candidates):
            return language
    return None


def _long_parts(text: str) -> tuple[str, str, Language] | None:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        language = _announced(line)
        if language is None:
            continue
        before = list(lines[:index])
        while before and (not before[-1].strip() or _RULE.match(before[-1])):
            before.pop()  # the blank lines and rule that set the second part apart
        first, second = "\n".join(before).strip(), "\n".join(lines[index + 1 :]).strip()
        if first and second:
            return first, second, language
    return None


def _short_parts(text: str) -> tuple[str, str, Language | None] | None:
    if text.count(" / ") != 1:
        return None
    first, second = (part.strip() for part in text.split(" / "))
    return (first, second, None) if first and second else None


def split_both_languages(field: str, text: str) -> BothLanguages | None:
    """The two parts of a field written in both languages; ``None`` for any other text."""
    from bridge.text.language import (  # the detector loads on first use
        detect_language,
        leaning_language,
    )

    parts: tuple[str, str, Language | None] | None
    if field in SHORT_FIELDS:
        parts = _short_parts(text)
    elif field in LONG_FIELDS:
        parts = _long_parts(text)
    else:
        parts = None
    if parts is None:
        return None
    first, second, announced = parts
    # One part must be detected for sure; the other need only lean the other way (a short
    # title of words both languages share rarely clears the detector's bar on its own).
    sure_first, sure_second = detect_language(first), detect_language(second)
    if sure_first is None and sure_second is None:
        return None
    first_language = sure_first or leaning_language(first)
    second_language = sure_second or leaning_language(second)
    if first_language is None or second_language is None or first_language == second_language:
        return None
    if announced is not None and announced != second_language:
        return None
    return BothLanguages(first, second, first_language, second_language)
