"""Which official language a text is in, by a real language detector (lingua).

The Official Languages Act rule needs to know whether the marketplace text is English or French
(the author may write either) and whether a translation really is in the other language. Lingua
is a statistical detector that is accurate on short texts; it is built once, for English and
French only, and shared (it is thread-safe). Texts of fewer than ``MIN_WORDS`` words, such as a
place name, are not judged: "Ottawa" or "Remote" is both.
"""

from __future__ import annotations

import threading
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from adapters.rules.plain_text import words

MIN_WORDS = 3
# How much more likely the winner must be than the other language before it is believed.
MIN_RELATIVE_DISTANCE = 0.1

_lock = threading.Lock()
_detector: LanguageDetector | None = None
_CODES: dict[Language, Literal["en", "fr"]] = {Language.ENGLISH: "en", Language.FRENCH: "fr"}


def _shared_detector() -> LanguageDetector:
    global _detector
    with _lock:
        if _detector is None:
            _detector = (
                LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
                .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
                .build()
            )
        return _detector


def word_count(text: str) -> int:
    return len(words(text))


def detect_language(text: str) -> Literal["en", "fr"] | None:
    """``"en"``, ``"fr"``, or ``None`` when the text is too short or too mixed to tell."""
    seen = words(text)
    if len(seen) < MIN_WORDS:
        return None
    language = _shared_detector().detect_language_of(" ".join(seen))
    return _CODES.get(language) if language is not None else None
