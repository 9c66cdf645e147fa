"""The marketplace's write limits, counted the way it counts them.

The marketplace measures text in UTF-16 code units (JavaScript's ``string.length``), on the text
exactly as it is sent: no trimming, no normalisation, line breaks included. The bridge sends NFC
text, so it counts the NFC form. A write over a limit is refused with a 400 that no retry can
change, so the bridge checks before it writes, and where people type, before they save.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# A status note (publish, cancel, submit for review) and an added note, each.
NOTE_UNITS: Final = 1000
ADDENDUM_UNITS: Final = 5000
# Code With Us texts, once the opportunity is under review or published (the bridge's names).
CWU_FIELD_UNITS: Final = {
    "title": 200,
    "teaser": 500,
    "description": 10_000,
    "location": 100,
    "remote_desc": 500,
    "submission_info": 500,
    "acceptance_criteria": 5000,
    "evaluation_criteria": 2000,
}


def units(text: str) -> int:
    """The length the marketplace sees: UTF-16 code units of the NFC text."""
    return len(unicodedata.normalize("NFC", text).encode("utf-16-le")) // 2
