"""What the captured marketplace holds, named once.

The fake marketplace serves the captured responses in ``tests/fixtures/marketplace``; tests and
the benchmarks' generated marketplace name its kinds, its opportunities and its answers from
here, so that an id is written in one place and a kind is always the same type.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Final

from bridge.marketplace.vocabulary import OpportunityKind

# Real responses captured from a running marketplace, kept byte for byte.
FIXTURES: Final = Path(__file__).resolve().parents[1] / "fixtures" / "marketplace"
BASE_URL: Final = "https://marketplace.test"
API: Final = f"{BASE_URL}/api"

# The kinds, as the marketplace's URL paths spell them (a ``StrEnum``: each is also a ``str``).
CWU: Final = OpportunityKind.CODE_WITH_US
SWU: Final = OpportunityKind.SPRINT_WITH_US
TWU: Final = OpportunityKind.TEAM_WITH_US
KINDS: Final = (CWU.value, SWU.value, TWU.value)

# Code With Us opportunities of the capture (``index.json``), by the state they were left in.
AWARDED: Final = "b11f28ff-9723-4a60-858a-e329ce69a76f"
PUBLISHED: Final = "05e8604f-703a-43ea-9cb5-308dc2053be6"  # no proposal
DRAFT: Final = "286a2365-95a7-4f7f-b24f-d96b4a54423e"
CANCELED: Final = "c6cb5a0d-3521-4fb4-bc6a-2b352c7c4dfc"
UNDER_REVIEW: Final = "b2e25305-cea8-4dfb-b6c0-0686998cc698"  # created by a government user
# The published Sprint With Us opportunity.
SPRINT: Final = "0ca0db14-f3a5-446c-aa7b-fbc2cfb216b8"

# The marketplace's own statuses and words.
PRE_EVALUATION: Final = frozenset({"DRAFT", "UNDER_REVIEW", "PUBLISHED"})
PERMISSION_DENIED: Final = ["You do not have permission to perform this action."]


def weak_etag(body: bytes) -> str:
    """The marketplace's ETag (Express's): ``W/"<length hex>-<first 27 chars of base64 sha1>"``."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]
    return f'W/"{len(body):x}-{digest}"'
