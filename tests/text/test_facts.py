"""Facts the two language versions must share, in either spelling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from bridge.text.facts import Disagreement, FactKind, Facts, compare_facts, extract_facts

ENGLISH = """\
# Accessible web form for grant applications

The Department is seeking a developer to build an accessible web form that lets applicants
upload supporting documents. The contract is worth $9,500.00 (taxes included) and the work
must be done by March 31, 2027.

## Deliverables

1. A form that meets WCAG 2.1 AA
2. Automated tests, including keyboard navigation
3. Handover documentation

## How to apply

- Submit your proposal before 2:00 p.m. (Eastern Time) on February 2, 2027.
- Questions: write to Procurement@tbs-sct.gc.ca by January 15, 2027.
- Read [the Standard on Web Accessibility](https://www.tbs-sct.canada.ca/pol/doc-eng.aspx?id=23601)
  and the [Canada.ca Content Style Guide](https://design.canada.ca/style-guide/).

```
npm run build   # costs $0, runs on 2026-01-01
```
"""

FRENCH = """\
# Formulaire Web accessible pour les demandes de subvention

Le Ministère cherche un développeur pour créer un formulaire Web accessible qui permet aux
demandeurs de téléverser leurs pièces justificatives. Le contrat vaut 9\u00a0500,00\u00a0$
(taxes comprises) et les travaux doivent être terminés d'ici le 31 mars 2027.

## Livrables

1. Un formulaire conforme aux WCAG 2.1 AA
2. Des tests automatisés, y compris la navigation au clavier
3. La documentation de transfert

## Comment soumissionner

- Soumettez votre proposition avant 14 h (heure de l'Est) le 2 février 2027.
- Questions : écrivez à procurement@tbs-sct.gc.ca au plus tard le 15 janvier 2027.
- Lisez la [Norme sur l'accessibilité des sites Web](https://www.tbs-sct.canada.ca/pol/doc-eng.aspx?id=23601)
  et le [Guide de rédaction du contenu du site Canada.ca](https://design.canada.ca/style-guide).

```
npm run build   # costs $0, runs on 2026-01-01
```
"""


def _compare(source: str, translation: str) -> list[Disagreement]:
    return compare_facts(extract_facts(source), extract_facts(translation))


def test_the_facts_of_a_text() -> None:
    assert extract_facts(ENGLISH) == Facts(
        amounts=(Decimal("9500.00"),),
        dates=(date(2027, 1, 15), date(2027, 2, 2), date(2027, 3, 31)),
        urls=(
            "https://design.canada.ca/style-guide",
            "https://www.tbs-sct.canada.ca/pol/doc-eng.aspx?id=23601",
        ),
        emails=("procurement@tbs-sct.gc.ca",),
        list_items=6,
        headings=3,
    )


def test_a_faithful_translation_agrees() -> None:
    assert _compare(ENGLISH, FRENCH) == []
    assert _compare(FRENCH, ENGLISH) == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$10,000.00", "10000.00"),
        ("$10,000", "10000.00"),
        ("$10000", "10000.00"),
        ("10,000 dollars", "10000.00"),
        ("CAD 10,000", "10000.00"),
        ("$9.5", "9.50"),
        ("CA$ 10,000", "10000.00"),
        ("$10,000.00 CAD", "10000.00"),
        ("10 000,00 $", "10000.00"),
        ("10 000 $", "10000.00"),
        ("10\u00a0000 $", "10000.00"),
        ("10\u202f000,00\u00a0$ CA", "10000.00"),
        ("10000 $", "10000.00"),
        ("10 000 dollars", "10000.00"),
        ("10 000 CAD", "10000.00"),
        ("$10K", "10000.00"),
        ("10 k$", "10000.00"),
        ("$1.5M", "1500000.00"),
        ("1,5 M$", "1500000.00"),
        ("$2 million", "2000000.00"),
        ("2 millions de dollars", "2000000.00"),
    ],
)
def test_amounts_in_either_spelling(text: str, amount: str) -> None:
    assert extract_facts(f"Budget: {text}.").amounts == (Decimal(amount),)


def test_amounts_are_not_made_of_neighbouring_numbers() -> None:
    assert extract_facts("Phase 2 $5,000 and phase 3 $4,000.").amounts == (
        Decimal("4000.00"),
        Decimal("5000.00"),
    )
    assert extract_facts("entre 5 000 $ et 10 000 $").amounts == (
        Decimal("5000.00"),
        Decimal("10000.00"),
    )
    assert extract_facts("A $5 Mbps line, 3 years, https://example.gc.ca/$500").amounts == (
        Decimal("5.00"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "2026-03-05T14:00",
        "March 5, 2026",
        "5 March 2026",
        "Mar. 5, 2026",
        "March 5th, 2026",
        "5 mars 2026",
        "le 5 mars 2026",
        "5 MARS 2026",
        "5\u00a0mars\u00a02026",
    ],
)
def test_dates_in_either_spelling(text: str) -> None:
    assert extract_facts(f"Due {text}.").dates == (date(2026, 3, 5),)


def test_accents_are_optional_and_first_of_the_month_reads_1er() -> None:
    text = "le 1er fevrier 2026, le 3 août 2026, 4 aout 2026, 24 decembre 2026, 1er févr. 2027"
    assert extract_facts(text).dates == (
        date(2026, 2, 1),
        date(2026, 8, 3),
        date(2026, 8, 4),
        date(2026, 12, 24),
        date(2027, 2, 1),
    )
    assert extract_facts("February 30, 2026; 5 items 2026").dates == ()  # not dates


def test_addresses_as_written_less_trailing_punctuation() -> None:
    facts = extract_facts(
        "See https://Example.GC.ca/Guide/. Or www.canada.ca/en, "
        "<https://canada.ca/fr> (or [the list](/en/opportunities)). Write to Bob@X.ca."
    )
    assert facts.urls == (
        "/en/opportunities",
        "https://canada.ca/fr",
        "https://example.gc.ca/Guide",
        "www.canada.ca/en",
    )
    assert facts.emails == ("bob@x.ca",)


def test_a_link_whose_text_is_its_address_counts_once() -> None:
    linked = extract_facts(
        "[https://example.gc.ca](https://example.gc.ca) and [bob@x.ca](mailto:bob@x.ca)"
    )
    bare = extract_facts("https://example.gc.ca and bob@x.ca")
    assert (linked.urls, linked.emails) == (bare.urls, bare.emails)
    assert compare_facts(linked, bare) == []


def test_links_inside_the_text_are_not_addresses() -> None:
    english = extract_facts("See [the requirements](#requirements).")
    french = extract_facts("Voir [les exigences](#exigences).")
    assert english.urls == french.urls == ()


def test_code_is_ignored() -> None:
    text = (
        "```\nprice = $5,000\n```\nand `$7`\n\n    indented code: $8\n\n"
        "- step:\n\n  ```\n  # 2026-03-05\n  ```\n"
    )
    facts = extract_facts(text)
    assert (facts.amounts, facts.dates, facts.headings, facts.list_items) == ((), (), 0, 1)


def test_headings_and_list_items_as_a_reader_sees_them() -> None:
    text = (
        "Title\n=====\n\nPart\n----\n\n# One\n### Two ###\n#not a heading\n\n"
        "1. one\n2. two\n   - nested\n     - deeper\n\n* three\n\n* * *\n\n- - -\n"
    )
    facts = extract_facts(text)
    assert (facts.headings, facts.list_items) == (4, 5)


@pytest.mark.parametrize(
    ("french", "kind", "in_source", "in_translation"),
    [
        (FRENCH.replace("9\u00a0500,00", "9\u00a0000,00"), "amounts", "9500.00", "9000.00"),
        (FRENCH.replace("31 mars", "30 mars"), "dates", "2027-03-31", "2027-03-30"),
        (FRENCH.replace("2 février", "3 février"), "dates", "2027-02-02", "2027-02-03"),
        (
            FRENCH.replace("(https://design.canada.ca/style-guide)", "(https://design.canada.ca)"),
            "urls",
            "https://design.canada.ca/style-guide",
            "https://design.canada.ca",
        ),
        (
            FRENCH.replace("procurement@", "achats@"),
            "emails",
            "procurement@tbs-sct.gc.ca",
            "achats@tbs-sct.gc.ca",
        ),
        (FRENCH.replace("3. La documentation de transfert\n", ""), "list_items", "6", "5"),
        (FRENCH.replace("## Livrables", "Livrables"), "headings", "3", "2"),
    ],
)
def test_each_kind_of_disagreement(
    french: str, kind: FactKind, in_source: str, in_translation: str
) -> None:
    assert _compare(ENGLISH, french) == [Disagreement(kind, (in_source,), (in_translation,))]


def test_a_missing_url_is_named() -> None:
    french = FRENCH.replace(
        "[Norme sur l'accessibilité des sites Web](https://www.tbs-sct.canada.ca/pol/"
        "doc-eng.aspx?id=23601)",
        "Norme sur l'accessibilité des sites Web",
    )
    assert _compare(ENGLISH, french) == [
        Disagreement("urls", ("https://www.tbs-sct.canada.ca/pol/doc-eng.aspx?id=23601",), ())
    ]


def test_the_same_fact_twice_is_a_multiset() -> None:
    assert _compare("$500 now and $500 later", "500 $ maintenant") == [
        Disagreement("amounts", ("500.00",), ())
    ]


def test_several_disagreements_are_listed_in_a_fixed_order() -> None:
    kinds = [item.kind for item in _compare(ENGLISH, "Rien de tout cela.")]
    assert kinds == ["amounts", "dates", "urls", "emails", "list_items", "headings"]


# --- Properties: whatever the figure, both spellings read the same.

amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
separators = st.sampled_from([" ", "\u00a0", "\u202f"])
FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


def _french_amount(amount: Decimal, separator: str, with_cents: bool) -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    whole = whole.replace(",", separator)
    return f"{whole},{cents}{separator}$" if with_cents else f"{whole}{separator}$"


@given(amount=amounts)
def test_any_amount_reads_the_same_in_both_spellings(amount: Decimal) -> None:
    english = format_currency(amount, "CAD", locale="en_CA")
    french = format_currency(amount, "CAD", locale="fr_CA")
    assert extract_facts(f"Worth {english}.").amounts == (amount,)
    assert extract_facts(f"Vaut {french}.").amounts == (amount,)


@given(amount=amounts, separator=separators)
def test_any_amount_with_any_space_and_whole_dollars(amount: Decimal, separator: str) -> None:
    dollars = amount.to_integral_value()
    assert extract_facts(f"Vaut {_french_amount(amount, separator, True)}.").amounts == (amount,)
    assert extract_facts(f"Vaut {_french_amount(dollars, separator, False)}.").amounts == (
        extract_facts(f"Worth ${dollars:,}.").amounts
    )


@given(day=days)
def test_any_date_reads_the_same_in_both_spellings(day: date) -> None:
    for locale in ("en_CA", "fr_CA"):
        for width in ("long", "medium"):
            text = format_date(day, width, locale=locale)
            assert extract_facts(f"Due {text}.").dates == (day,), text


@given(day=days)
def test_any_french_date_with_1er(day: date) -> None:
    number = "1er" if day.day == 1 else str(day.day)
    french = f"le {number} {FRENCH_MONTHS[day.month - 1]} {day.year}"
    english = format_date(day, "MMMM d, y", locale="en")
    assert extract_facts(french).dates == extract_facts(english).dates == (day,)
