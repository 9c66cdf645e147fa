"""Whether a translation's length is plausible against its source.

French usually runs 15 to 30 % longer than English, and English correspondingly shorter; a
translation far outside the bounds (from the rule settings) has likely lost or gained a passage.
Texts under ``MIN_SOURCE_CHARACTERS`` visible characters are too short to judge.
"""

from __future__ import annotations

from bridge.text.plain_text import visible_text

MIN_SOURCE_CHARACTERS = 40


def length_ratio(source: str, translation: str) -> float | None:
    """Visible characters of the translation per visible character of the source (Markdown
    syntax, code and addresses left out: they are not what a translator writes)."""
    source_length = len(visible_text(source))
    if source_length < MIN_SOURCE_CHARACTERS:
        return None
    return len(visible_text(translation)) / source_length


def is_plausible_length(source: str, translation: str, low: float, high: float) -> bool:
    """Whether the ratio is within ``[low, high]``; a source too short to judge is plausible."""
    ratio = length_ratio(source, translation)
    return ratio is None or low <= ratio <= high
