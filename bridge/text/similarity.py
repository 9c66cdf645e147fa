"""How alike two postings are: Jaccard similarity of their word 3-shingles.

Shingling (Broder, 1997) is the standard measure for near-duplicate documents: a reworded
sentence or a changed phase number lowers it a little, a different requirement a lot, and shared
departmental boilerplate alone does not make two postings look alike the way word counts would.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

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
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


BITMAP_BITS = 4096


def bitmap(hashes: frozenset[int], bits: int = BITMAP_BITS) -> int:
    """The set folded into ``bits`` bits (a power of two), each hash setting bit ``hash mod
    bits``: two sets' bitmaps bound how much they share (``overlap_bound``) for the price of
    one XOR of machine words."""
    folded = bytearray(bits // 8)
    last = bits - 1
    for value in hashes:
        position = value & last
        folded[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(folded, "little")


def overlap_bound(size_a: int, bitmap_a: int, size_b: int, bitmap_b: int) -> int:
    """At most how many members two sets share, from their sizes and bitmaps. Each bit set in
    one bitmap and not the other stands for at least one member of one set only, and distinct
    bits for distinct members, so ``|A - B| + |B - A| >= popcount(a XOR b)``."""
    return (size_a + size_b - (bitmap_a ^ bitmap_b).bit_count()) // 2


class _Profile(NamedTuple):
    size: int
    bitmap: int


@lru_cache(maxsize=8192)
def _profile(text: str) -> _Profile:
    hashes = shingles(text)
    return _Profile(len(hashes), bitmap(hashes))


def alike_among(text: str, others: Sequence[str], threshold: float) -> list[bool]:
    """For each of ``others``, whether ``similarity(text, other) >= threshold``; a pair that
    cannot reach it is settled from the sets' sizes and bitmaps, without comparing the sets
    themselves.

    The bitmap filter of exact set-similarity joins (Sandes, Teodoro and Melo, 2020): the
    Jaccard similarity reaches ``t`` only if the sets share ``t / (1 + t)`` of their sizes'
    sum, and ``overlap_bound`` caps what they share. Postings that share a department's
    boilerplate sit at 0.3 to 0.5: their prefixes of rare shingles met, so the prefix filter
    used before let nearly every pair through to a whole comparison (9 µs each, most of
    re-judging a department); the bound is within a few members of the truth, and passes about
    one pair in a hundred to ``similarity``. One text against many, as the splitting rule
    compares a posting with its department's: its profile is looked up once.
    """
    if threshold <= 0:
        return [True] * len(others)
    size, folded = _profile(text)
    if not size:
        return [False] * len(others)
    share = threshold / (1 + threshold)  # of the sizes' sum, the shingles needed in common
    found = []
    for other in others:
        other_size, other_folded = _profile(other)
        needed = math.ceil(share * (size + other_size) - 1e-9)
        found.append(
            min(size, other_size) >= needed
            and overlap_bound(size, folded, other_size, other_folded) >= needed
            and similarity(text, other) >= threshold
        )
    return found


def alike(first: str, second: str, threshold: float) -> bool:
    """Whether ``similarity(first, second) >= threshold`` (``alike_among`` for one pair)."""
    return alike_among(first, (second,), threshold)[0]
