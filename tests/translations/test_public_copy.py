"""The bilingual public copy written to the marketplace on publication."""

from __future__ import annotations

from bridge.translations.public_copy import authored_text, bilingual_copy

SOURCES = {
    "title": "Accessible upload form",
    "location": "Ottawa",
    "description": "Build an accessible form.",
    "remote_desc": "",
}
FRENCH = {
    "title": "Formulaire de téléversement accessible",
    "location": "Ottawa",
    "description": "Créer un formulaire accessible.",
}


def test_long_fields_carry_the_french_under_a_heading_and_short_ones_both_versions() -> None:
    copy = bilingual_copy(SOURCES, FRENCH, "fr")
    assert copy == {
        "title": "Accessible upload form / Formulaire de téléversement accessible",
        "location": "Ottawa",
        "description": (
            "Build an accessible form.\n\n---\n\n## Version française\n\n"
            "Créer un formulaire accessible."
        ),
    }


def test_composing_again_gives_the_same_copy() -> None:
    once = bilingual_copy(SOURCES, FRENCH, "fr")
    sources_after_publish = {**SOURCES, "title": once["title"], "description": once["description"]}
    assert bilingual_copy(sources_after_publish, FRENCH, "fr") == once


def test_a_french_source_gets_the_english_heading() -> None:
    copy = bilingual_copy(
        {"description": "Créer un formulaire."}, {"description": "Build a form."}, "en"
    )
    assert copy["description"].endswith("## English version\n\nBuild a form.")


def test_the_authored_text_comes_back_from_the_published_copy() -> None:
    copy = bilingual_copy(SOURCES, FRENCH, "fr")
    for field, text in copy.items():
        assert authored_text(field, text, FRENCH[field]) == SOURCES[field]
    # A title that merely contains " / " is the author's, when the translation differs.
    assert authored_text("title", "Forms / surveys", "Formulaires") == "Forms / surveys"
    assert authored_text("teaser", "Forms", "") == "Forms"
