"""Plausible translation lengths."""

from __future__ import annotations

import pytest

from bridge.text.length import MIN_SOURCE_CHARACTERS, is_plausible_length, length_ratio

SOURCE = "Build an accessible web form for uploading supporting documents."
ENGLISH = (
    "The Department is seeking a developer to build an accessible web form that lets "
    "applicants upload supporting documents and track the status of their request."
)
FRENCH = (
    "Le Ministère cherche un développeur pour créer un formulaire Web accessible qui permet "
    "aux demandeurs de téléverser leurs pièces justificatives et de suivre l'état de leur "
    "demande."
)
LOW, HIGH = 0.6, 1.8  # the rule's default bounds


def test_ratio_of_visible_text() -> None:
    ratio = length_ratio(SOURCE, "Créer un formulaire Web accessible pour téléverser des pièces.")
    assert ratio is not None and 0.9 < ratio < 1.1
    assert length_ratio(f"**{SOURCE}**", SOURCE) == 1.0  # markup is not text


def test_markdown_syntax_and_addresses_are_not_counted() -> None:
    marked = f"## {SOURCE}\n\n- [{SOURCE}](https://example.gc.ca/a/very/long/address)\n"
    assert length_ratio(marked, f"{SOURCE} {SOURCE}") == 1.0


def test_a_real_translation_runs_longer_and_is_plausible() -> None:
    ratio = length_ratio(ENGLISH, FRENCH)
    assert ratio is not None and 1.05 < ratio < 1.35
    assert is_plausible_length(ENGLISH, FRENCH, LOW, HIGH)
    assert is_plausible_length(FRENCH, ENGLISH, LOW, HIGH)


def test_a_translation_missing_most_of_the_text_is_not() -> None:
    assert not is_plausible_length(ENGLISH, "Le Ministère cherche un développeur.", LOW, HIGH)
    assert not is_plausible_length(SOURCE, f"{FRENCH} {FRENCH}", LOW, HIGH)


@pytest.mark.parametrize("short", ["", "Ottawa", "x" * (MIN_SOURCE_CHARACTERS - 1)])
def test_short_sources_are_not_judged(short: str) -> None:
    assert length_ratio(short, "") is None
    assert is_plausible_length(short, FRENCH * 5, LOW, HIGH)


def test_bounds_are_inclusive() -> None:
    source = "a" * 100
    assert is_plausible_length(source, "b" * 60, LOW, HIGH)
    assert is_plausible_length(source, "b" * 180, LOW, HIGH)
    assert not is_plausible_length(source, "b" * 59, LOW, HIGH)
    assert not is_plausible_length(source, "b" * 181, LOW, HIGH)
