"""Golden files: the exact bytes a format must produce. ``UPDATE_GOLDEN=1`` rewrites them after a
deliberate change of format (then read the diff before committing)."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, produced: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert produced == path.read_bytes(), f"{name} differs from its golden file"
