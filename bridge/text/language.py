"""Which official language a text is in, by a real language detector (lingua).

The Official Languages Act rule needs to know whether the marketplace text is English or French
(the author may write either) and whether a translation really is in the other language. Lingua
is a statistical detector that is accurate on short texts; it is built once, for English and
French only, and shared (it is thread-safe).

Only what a reader sees is judged: Markdown syntax, code, web and e-mail addresses and numbers
are left out. Names are left out too when enough other words remain: a French title such as
"Tests automatisés avec Playwright et GitHub Actions" is mostly English product names, which
make it look English; "Tests automatisés avec et" is French. A name is a capitalised word that
does not start a line or a sentence (French capitalises little else).

Prose whose function words leave no doubt (many of one language's, next to none of the other's)
is told by counting them: lingua would say the same, and its statistics are most of the cost of
judging an opportunity's language.

Texts of fewer than ``MIN_WORDS`` words, such as a place name, are not judged: "Ottawa" or
"Remote" is both. Nor are texts whose words belong to both languages ("Application mobile
accessible"): the detector must prefer one language by ``MIN_RELATIVE_DISTANCE``.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bridge.text.plain_text import visible_text, without_code, words, words_of_visible

MIN_WORDS = 3
# The two confidences sum to 1, so 0.4 means the winner must reach 0.70. Titles made of words
# both languages share ("Transport Communication Administration", judged French at 0.64) stay
# below it; an ordinary sentence in either language scores above 0.9.
MIN_RELATIVE_DISTANCE = 0.4
# The detector's time grows with the text; a hundred words tell English from French as surely
# as a thousand (lingua is accurate on single sentences), so longer texts are judged by their
# first hundred words: a description's opening, a title and teaser whole.
SAMPLE_WORDS = 100
# Detection is a pure function of the text, and the same texts are judged again and again (a
# neighbour's evaluation, the re-reading after a write-back, a translation's own check).
CACHED_TEXTS = 8192
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
# Function words only one of the two languages has; ordinary prose in either is a third function
# words. A sample that has many of one list's and next to none of the other's is told without the
# detector, which is most of what judging the language costs; mixed, short or unusual samples
# go to the detector. (Words both languages write, "a", "on", "en", "an", "plus", are in
# neither list.)
# fmt: off
ENGLISH_ONLY = frozenset({
    "the", "and", "of", "to", "with", "is", "are", "be", "this", "that", "will", "for", "from",
    "by", "which", "should", "must", "have", "has", "our", "we", "you", "your", "their", "its",
})
FRENCH_ONLY = frozenset({
    "le", "la", "les", "des", "du", "et", "pour", "avec", "est", "sont", "une", "dans", "sur",
    "par", "cette", "ces", "qui", "nous", "vous", "leur", "leurs", "aux", "être", "doit", "sera",
    "ou",
})
# fmt: on
CLEAR_HITS = 5  # at least this many function words of the language, and
CLEAR_SHARE = 0.15  # at least this share of the sample, and
CLEAR_MARGIN = 10  # at least this many times the other language's

_lock = threading.Lock()
_detector: LanguageDetector | None = None
_CODES: dict[Language, Literal["en", "fr"]] = {Language.ENGLISH: "en", Language.FRENCH: "fr"}


def _shared_detector() -> LanguageDetector:
    """Built on first use (its models take a moment to load), then shared by every thread."""
    global _detector
    detector = _detector
    if detector is None:
        with _lock:
            if _detector is None:
                _detector = (
                    LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
                    .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
                    .build()
                )
            detector = _detector
    return detector


def word_count(text: str) -> int:
    """Words of letters a reader sees: the measure of "too short to tell"."""
    return len(words(text))


def _without_names(text: str, enough: int) -> list[str]:
    """The words of ``text`` except capitalised ones inside a sentence (product names); the
    reading stops once ``enough`` words are kept, as a long description's opening suffices."""
    kept: list[str] = []
    for line in without_code(text).splitlines():
        for sentence in SENTENCE_END.split(visible_text(line)):
            sentence_words = words_of_visible(sentence)
            kept += sentence_words[:1]
            kept += [word for word in sentence_words[1:] if not word[0].isupper()]
        if len(kept) >= enough:
            break
    return kept[:enough]


def clear_language(sample: list[str]) -> Literal["en", "fr"] | None:
    """The language of a sample made plain by its function words, or ``None`` to ask the
    detector: a clear sample is one the detector places beyond doubt, at a hundredth of its
    cost."""
    english = french = 0
    for word in sample:
        folded = word.lower()
        if folded in ENGLISH_ONLY:
            english += 1
        elif folded in FRENCH_ONLY:
            french += 1
    enough = max(CLEAR_HITS, CLEAR_SHARE * len(sample))
    if english >= enough and english >= CLEAR_MARGIN * french:
        return "en"
    if french >= enough and french >= CLEAR_MARGIN * english:
        return "fr"
    return None


@lru_cache(maxsize=CACHED_TEXTS)
def detect_language(text: str) -> Literal["en", "fr"] | None:
    """``"en"``, ``"fr"``, or ``None`` when the text is too short or too ambiguous to tell."""
    sample = _without_names(text, SAMPLE_WORDS)
    if len(sample) < MIN_WORDS:  # a title in title case, or a list of names: judge them all
        sample = words(text)[:SAMPLE_WORDS]
        if len(sample) < MIN_WORDS:
            return None
    clear = clear_language(sample)
    if clear is not None:
        return clear
    language = _shared_detector().detect_language_of(" ".join(sample))
    return _CODES.get(language) if language is not None else None


@lru_cache(maxsize=CACHED_TEXTS)
def leaning_language(text: str) -> Literal["en", "fr"] | None:
    """The language ``text`` is more likely in, however slightly; ``None`` under ``MIN_WORDS``
    words. For telling apart two parts of one text when one of them is detected for sure:
    "Bilingual content management fixes" leans English without clearing the detector's bar."""
    every_word = words(text)
    if len(every_word) < MIN_WORDS:
        return None
    clear = clear_language(every_word[:SAMPLE_WORDS])
    if clear is not None:
        return clear
    sample = " ".join(every_word[:SAMPLE_WORDS])
    values = _shared_detector().compute_language_confidence_values(sample)
    best = max(values, key=lambda value: value.value, default=None)
    return _CODES.get(best.language) if best is not None else None
