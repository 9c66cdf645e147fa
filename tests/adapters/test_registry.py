"""The registry of adapters: every name a setting offers makes its adapter, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from adapters.registry import (
    NOTIFIERS,
    RULES,
    SINKS,
    notifier_from_settings,
    rule_pipeline,
    sinks_from_settings,
)
from bridge.settings import Settings, SinkName, load_settings

# A GC Notify key is its name, the service id and the secret, each a UUID.
KEY = "test-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"


def test_the_registry_offers_exactly_the_settings_choices() -> None:
    assert set(NOTIFIERS) == set(get_args(Settings.model_fields["notifier"].annotation))
    assert set(SINKS) == set(get_args(SinkName))


@pytest.mark.parametrize("name", sorted(NOTIFIERS))
def test_each_notifier_is_made_by_its_name(name: str) -> None:
    settings = load_settings({}, notifier=name, gc_notify_api_key=KEY, gc_notify_template_id="t")
    assert notifier_from_settings(settings).name == name


def test_each_sink_is_made_by_its_name(tmp_path: Path) -> None:
    settings = load_settings(
        {},
        export_sinks=list(SINKS),
        export_directory=tmp_path,
        export_webhook_url="https://hooks.example.gc.ca/awards",
        export_webhook_secret="s" * 32,
        export_email_recipients=["procurement@tbs-sct.gc.ca"],
    )
    notifier = notifier_from_settings(settings)
    assert [sink.name for sink in sinks_from_settings(settings, notifier)] == list(SINKS)


def test_the_pipeline_holds_every_rule_once() -> None:
    rules = rule_pipeline().rules
    assert len(rules) == len(RULES) and len({type(rule) for rule in rules}) == len(RULES)
