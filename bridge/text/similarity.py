"""How alike two postings are: Jaccard similarity of their word 3-shingles.

Shingling (Broder, 1997) is the standard measure for near-duplicate documents: a reworded
sentence or a changed phase number lowers it a little, a different requirement a lot, and shared
departmental boilerplate alone does not make two postings look alike the way word counts would.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"\w+", re.UNICODE)
# The combining marks NFKD leaves after the letters of Latin scripts (the diacritical blocks).
ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
SHINGLE_SIZE = 3


def _words(text: str) -> list[str]:
    folded = text.casefold()
    if not folded.isascii():
        folded = ACCENTS.sub("", unicodedata.normalize("NFKD", folded))
    return WORD.findall(folded)


@lru_cache(maxsize=8192)
def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[int]:
    """The hashes of the text's shingles: a set of integers compares several times faster
    than one of word tuples, and two different shingles share a 64-bit hash about once in
    10^19 pairs. Cached: one department's postings are compared with each other many times."""
    words = _words(text)
    if len(words) < size:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    # zip makes the word tuples and map hashes them without a Python-level loop.
    return frozenset(map(hash, zip(*(words[offset:] for offset in range(size)), strict=False)))


def similarity(first: str, second: str) -> float:
    """0 (nothing shared) to 1 (the same words in the same order), case and accents ignored."""
    return _similarity(first, second) if first <= second else _similarity(second, first)


# Pairs kept: judging every opportunity in the order they were posted compares each pair of a
# department's month twice, the second time a few hundred opportunities after the first.
@lru_cache(maxsize=1 << 16)
def _similarity(first: str, second: str) -> float:
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _needed(size: int, threshold: float) -> int:
    """Shared shingles a set of ``size`` needs to reach ``threshold`` with any other: at least
    ``threshold`` of the larger set, so of this one (a hair below, for float rounding)."""
    return math.ceil(threshold * size - 1e-9)


@lru_cache(maxsize=8192)
def _prefix(text: str, threshold: float) -> frozenset[int]:
    """The text's smallest shingle hashes, as many as a near-duplicate must share one of."""
    hashes = shingles(text)
    return frozenset(sorted(hashes)[: len(hashes) - _needed(len(hashes), threshold) + 1])


def alike(first: str, second: str, threshold: float) -> bool:
    """Whether ``similarity(first, second) >= threshold``; a pair that cannot reach it is
    settled without comparing whole sets where its sizes or first shingles tell (postings that
    share most of their sentences, as generated ones do, still need the whole comparison).

    Two filters of set-similarity joins (Chaudhuri et al., 2006; Bayardo et al., 2007), both
    exact: the sizes must be within the threshold of each other, and, the shingles being ordered
    alike in both, the first shared one lies among the first ``size - needed + 1`` of each set,
    so two such prefixes with nothing in common cannot reach the threshold.
    """
    if threshold <= 0:
        return True
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return False
    small, large = sorted((len(a), len(b)))
    if small < _needed(large, threshold):
        return False
    if _prefix(first, threshold).isdisjoint(_prefix(second, threshold)):
        return False
    return similarity(first, second) >= threshold
