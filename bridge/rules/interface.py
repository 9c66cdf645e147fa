"""The one interface every GC rule implements."""

from __future__ import annotations

from typing import Protocol

from bridge.rules.context import RuleContext
from bridge.rules.findings import Finding


class Rule(Protocol):
    """Judges one opportunity from its context; pure: no database, no clock, no network."""

    name: str

    def evaluate(self, context: RuleContext) -> list[Finding]: ...
