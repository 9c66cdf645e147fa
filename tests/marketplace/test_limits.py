"""Lengths as the marketplace counts them (the live instance's accepted and refused cases)."""

from __future__ import annotations

from bridge.marketplace.limits import CWU_FIELD_UNITS, units


def test_lengths_are_utf16_code_units_of_the_nfc_text() -> None:
    accented = "é" * 200
    assert units(accented) == 200 == CWU_FIELD_UNITS["title"]  # 400 UTF-8 bytes, accepted
    assert units("e\u0301" * 200) == 200  # sent as NFC: the same 200
    assert units("a" * 196 + "🇨🇦") == 200  # two astral code points, four units
    assert units("a" * 197 + "🇨🇦") == 201  # refused by the marketplace
    assert units("line\r\nbreak") == 11  # line breaks count
