"""Plausible translation lengths."""

from __future__ import annotations

from adapters.rules.length import MIN_SOURCE_CHARACTERS, is_plausible_length, length_ratio

SOURCE = "Build an accessible web form for uploading supporting documents."


def test_ratio_of_visible_text() -> None:
    ratio = length_ratio(SOURCE, "Créer un formulaire Web accessible pour téléverser des pièces.")
    assert ratio is not None and 0.9 < ratio < 1.1
    assert length_ratio(f"**{SOURCE}**", SOURCE) == 1.0  # markup is not text


def test_short_sources_are_not_judged() -> None:
    short = "x" * (MIN_SOURCE_CHARACTERS - 1)
    assert length_ratio(short, "") is None
    assert is_plausible_length(short, "", 0.6, 1.8)


def test_bounds_are_inclusive() -> None:
    source = "a" * 100
    assert is_plausible_length(source, "b" * 60, 0.6, 1.8)
    assert is_plausible_length(source, "b" * 180, 0.6, 1.8)
    assert not is_plausible_length(source, "b" * 59, 0.6, 1.8)
    assert not is_plausible_length(source, "b" * 181, 0.6, 1.8)
