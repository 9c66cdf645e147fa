"""Rule contexts built from plain values, for testing rules at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bridge.rules.context import RuleContext, TextField
from bridge.rules.settings import RuleSettings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make_context(**overrides: Any) -> RuleContext:
    settings = overrides.pop("settings", RuleSettings())
    values: dict[str, Any] = {
        "opportunity_id": "00000000-0000-0000-0000-000000000001",
        "kind": "code-with-us",
        "status": "UNDER_REVIEW",
        "version": 1,
        "title": "Accessible intake form",
        "text": "Accessible intake form\nBuild an accessible intake form for the pilot.",
        "amount": Decimal("5000.00"),
        "posted_at": NOW,
        "source_language": "en",
        "texts": (),
        "department_id": 1,
        "settings": settings,
        "now": NOW,
    }
    values.update(overrides)
    return RuleContext(**values)


def text_field(name: str, source: str, translation: str | None, **kwargs: Any) -> TextField:
    from bridge.translations.texts import TranslationSnapshot, text_hash

    if translation is None:
        return TextField(name, source, None)
    made_from = kwargs.get("made_from", source)
    target = kwargs.get("target_language", "fr")
    return TextField(name, source, TranslationSnapshot(translation, text_hash(made_from), target))
