"""Which texts need a translation at all: addresses, codes and names read the same in both."""

from __future__ import annotations

import pytest

from adapters.rules.bilingual import needs_translation


@pytest.mark.parametrize(
    ("source", "needed"),
    [
        ("https://github.com/canada-ca/bridge", False),
        ("procurement@tbs-sct.gc.ca", False),
        ("`WCAG 2.1 AA`", False),
        ("WCAG 2.1 AA", False),
        ("Ottawa, Ontario", False),
        ("Saint-Jean-sur-Richelieu, Québec", False),
        ("Gatineau or Ottawa", True),
        ("Accessible Web Form For Applicants", True),  # a Title Case title is translated
        ("Build an accessible form.", True),
    ],
)
def test_what_needs_a_translation(source: str, needed: bool) -> None:
    assert needs_translation(source) is needed
