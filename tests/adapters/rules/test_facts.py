"""Facts the two language versions must share, in either spelling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from adapters.rules.facts import Disagreement, compare_facts, extract_facts

ENGLISH = (
    "## What we need\n\nThe work is worth $9,500.00 and must be done by March 31, 2027.\n\n"
    "- keyboard support\n- plain language error messages\n\n"
    "Questions: write to Procurement@tbs-sct.gc.ca or read "
    "[the guide](https://example.gc.ca/guide/)."
)
FRENCH = (
    "## Ce dont nous avons besoin\n\nLe travail vaut 9 500,00 $ et doit être terminé d'ici le "
    "31 mars 2027.\n\n- prise en charge du clavier\n- messages d'erreur en langage clair\n\n"
    "Questions : écrivez à procurement@tbs-sct.gc.ca ou lisez "
    "[le guide](https://example.gc.ca/guide)."
)


def test_a_faithful_translation_agrees() -> None:
    assert compare_facts(extract_facts(ENGLISH), extract_facts(FRENCH)) == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$10,000.00", "10000.00"), ("$10,000", "10000.00"), ("$10000", "10000.00"),
        ("10,000 dollars", "10000.00"), ("CAD 10,000", "10000.00"), ("$9.5", "9.50"),
        ("10 000,00 $", "10000.00"), ("10\u00a0000 $", "10000.00"),
        ("10\u202f000,00\u00a0$ CA", "10000.00"), ("10000 $", "10000.00"),
    ],
)  # fmt: skip
def test_amounts_in_either_spelling(text: str, amount: str) -> None:
    assert extract_facts(f"Budget: {text}.").amounts == (Decimal(amount),)


@pytest.mark.parametrize(
    "text",
    ["2026-03-05", "March 5, 2026", "5 March 2026", "Mar. 5, 2026", "5 mars 2026",
     "le 5 mars 2026", "5 MARS 2026"],
)  # fmt: skip
def test_dates_in_either_spelling(text: str) -> None:
    assert extract_facts(f"Due {text}.").dates == (date(2026, 3, 5),)


def test_accents_are_optional_and_first_of_the_month_reads_1er() -> None:
    assert extract_facts("le 1er fevrier 2026 et le 3 août 2026, 4 aout 2026").dates == (
        date(2026, 2, 1), date(2026, 8, 3), date(2026, 8, 4),
    )  # fmt: skip
    assert extract_facts("February 30, 2026").dates == ()  # not a date


def test_code_is_ignored() -> None:
    assert extract_facts("```\nprice = $5,000\n```\nand `$7`").amounts == ()


@pytest.mark.parametrize(
    ("french", "kind"),
    [
        (FRENCH.replace("9 500,00", "9 000,00"), "amounts"),
        (FRENCH.replace("31 mars", "30 mars"), "dates"),
        (FRENCH.replace("(https://example.gc.ca/guide)", "(https://example.gc.ca/aide)"), "urls"),
        (FRENCH.replace("procurement@", "achats@"), "emails"),
        (FRENCH.replace("\n- messages d'erreur en langage clair", ""), "list_items"),
        (FRENCH.replace("## Ce dont", "Ce dont"), "headings"),
    ],
)
def test_each_kind_of_disagreement(french: str, kind: str) -> None:
    disagreements = compare_facts(extract_facts(ENGLISH), extract_facts(french))
    assert [item.kind for item in disagreements] == [kind]


def test_a_disagreement_names_both_sides() -> None:
    changed = FRENCH.replace("9 500,00", "9 000,00")
    assert compare_facts(extract_facts(ENGLISH), extract_facts(changed)) == [
        Disagreement("amounts", ("9500.00",), ("9000.00",))
    ]


def test_setext_headings_and_numbered_lists_count() -> None:
    facts = extract_facts("Title\n=====\n\nPart\n----\n\n1. one\n2) two\n* three\n\n---\n")
    assert (facts.headings, facts.list_items) == (2, 3)


amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)


@given(amount=amounts)
def test_any_amount_reads_the_same_in_both_spellings(amount: Decimal) -> None:
    english = format_currency(amount, "CAD", locale="en_CA")
    french = format_currency(amount, "CAD", locale="fr_CA")
    assert extract_facts(f"Worth {english}.").amounts == (amount,)
    assert extract_facts(f"Vaut {french}.").amounts == (amount,)


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_any_date_reads_the_same_in_both_spellings(day: date) -> None:
    for locale in ("en_CA", "fr_CA"):
        text = format_date(day, "long", locale=locale)
        assert extract_facts(f"Due {text}.").dates == (day,), text
