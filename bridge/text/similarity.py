"""How alike two postings are: Jaccard similarity of their word 3-shingles.

Shingling (Broder, 1997) is the standard measure for near-duplicate documents: a reworded
sentence or a changed phase number lowers it a little, a different requirement a lot, and shared
departmental boilerplate alone does not make two postings look alike the way word counts would.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 3


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(character for character in folded if not unicodedata.combining(character))
    return WORD.findall(plain)


@lru_cache(maxsize=8192)
def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[tuple[str, ...]]:
    """Cached: one department's postings are compared with each other many times over."""
    words = _words(text)
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[index : index + size]) for index in range(len(words) - size + 1))


def similarity(first: str, second: str) -> float:
    """0 (nothing shared) to 1 (the same words in the same order), case and accents ignored."""
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
