"""Texts an author wrote in both languages are recognised; nothing else is split."""

from __future__ import annotations

import pytest

from bridge.translations.authored_bilingual import LANGUAGE_WORDS, split_both_languages
from bridge.translations.public_copy import bilingual_copy

TITLE = "Bilingual content management fixes / Correctifs du système de gestion de contenu bilingue"
ENGLISH_PART = (
    "Fix the content management system so that every page keeps its French and English "
    "versions in step, and editors see which one is out of date."
)
FRENCH_PART = (
    "Corriger le système de gestion de contenu pour que chaque page garde ses versions "
    "française et anglaise à jour, et que les rédacteurs voient laquelle est périmée."
)


def test_a_title_in_both_languages_splits_in_two() -> None:
    both = split_both_languages("title", TITLE)
    assert both is not None
    assert (both.first, both.first_language) == ("Bilingual content management fixes", "en")
    assert both.second.startswith("Correctifs du système") and both.second_language == "fr"


@pytest.mark.parametrize(
    "heading",
    [
        "Description (français)",
        "## Version française",
        "**French:**",
        "FRANÇAIS",
        "# En français",
    ],
)
def test_a_description_with_a_section_in_the_other_language_splits_at_its_heading(
    heading: str,
) -> None:
    text = f"{ENGLISH_PART}\n\n{heading}\n\n{FRENCH_PART}"
    both = split_both_languages("description", text)
    assert both is not None
    assert (both.first, both.second) == (ENGLISH_PART, FRENCH_PART)


@pytest.mark.parametrize(
    "name", [name for names in LANGUAGE_WORDS.values() for name in names], ids=str
)
def test_every_language_name_announces_a_part_in_any_case(name: str) -> None:
    """A description is searched once for a language's name before its lines are read: the
    heading alone must be found (these parts name no language)."""
    english = (
        "Fix the content management system so that every page keeps both of its versions in "
        "step, and editors see which one is out of date."
    )
    french = (
        "Corriger le système de gestion de contenu pour que chaque page garde ses deux "
        "versions à jour, et que les rédacteurs voient laquelle est périmée."
    )
    for heading in (name, name.upper(), name.title(), f"Description ({name})"):
        text = f"{english}\n\n{heading}\n\n{french}"
        if name in LANGUAGE_WORDS["en"]:
            text = f"{french}\n\n{heading}\n\n{english}"
        assert split_both_languages("description", text) is not None, heading


def test_a_french_author_writing_english_second_splits_the_other_way() -> None:
    both = split_both_languages("description", f"{FRENCH_PART}\n\nEnglish version:\n{ENGLISH_PART}")
    assert both is not None and (both.first_language, both.second_language) == ("fr", "en")


def test_the_bridges_own_copy_is_recognised_too() -> None:
    copy = bilingual_copy({"description": ENGLISH_PART}, {"description": FRENCH_PART}, "fr")
    both = split_both_languages("description", copy["description"])
    assert both is not None and (both.first, both.second) == (ENGLISH_PART, FRENCH_PART)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (
            "title",
            "Front-end / back-end developer for the benefits portal redesign",
        ),  # English twice
        ("location", "Ottawa / Gatineau"),  # names: no language to tell
        ("title", "Modernize the intake form / improve the error messages for applicants"),
        ("title", "Accessible upload form"),  # one language, no separator
        ("description", f"{ENGLISH_PART}\n\nFrench\n\n{ENGLISH_PART}"),  # announced, not written
        ("description", f"{ENGLISH_PART}\n\n## Background\n\n{FRENCH_PART}"),  # no language heading
        ("title", f"{TITLE} / Troisième partie du titre en français"),  # not two parts
        ("skills", TITLE),  # not a text field of the marketplace's copy
    ],
)
def test_other_texts_are_not_split(field: str, text: str) -> None:
    assert split_both_languages(field, text) is None
