"""What a rule reports: a finding with a severity and a message key, rendered per reader.

A finding stores a message key and parameters, never a sentence: the same finding is read in
English by one person and in French by the next, and a wording fix applies to old findings too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BLOCK = "block"  # stops approval and publication
    WARN = "warn"  # someone should look
    INFO = "info"  # how the rule reached its result


SEVERITY_ORDER = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message_key: str
    # JSON-safe: money as exact strings ("10000.00"), dates as ISO strings.
    params: dict[str, Any] = field(default_factory=dict)
    field: str | None = None

    def sort_key(self) -> tuple[int, str, str, str]:
        return (SEVERITY_ORDER[self.severity], self.rule, self.field or "", self.message_key)


def findings_hash(findings: Iterable[Finding]) -> str:
    """Order-independent digest: tells a re-evaluation that found the same from a change."""
    items = sorted(
        json.dumps(
            [item.rule, item.severity.value, item.field, item.message_key, item.params],
            sort_keys=True,
            default=str,
        )
        for item in findings
    )
    return hashlib.sha256("\n".join(items).encode()).hexdigest()
