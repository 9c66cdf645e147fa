"""A title in each language: the saved translation while it is current, the author's own when
they wrote both, and the marketplace's title alone otherwise."""

from __future__ import annotations

from bridge.translations.models import Translation
from bridge.translations.texts import text_hash
from bridge.translations.titles import by_language

ENGLISH = "Accessible document upload form"
FRENCH = "Formulaire accessible de téléversement de documents"


def _translation(made_from: str) -> Translation:
    return Translation(
        field="title",
        text=FRENCH,
        source_hash=text_hash(made_from),
        source_language="en",
        target_language="fr",
    )


def test_a_current_translation_gives_the_other_language() -> None:
    assert by_language(ENGLISH, _translation(ENGLISH)) == {"en": ENGLISH, "fr": FRENCH}


def test_the_bridges_published_copy_is_read_as_the_author_wrote_it() -> None:
    published = f"{ENGLISH} / {FRENCH}"
    assert by_language(published, _translation(ENGLISH)) == {"en": ENGLISH, "fr": FRENCH}


def test_an_outdated_translation_is_not_shown() -> None:
    edited = "Accessible document upload form, second version"
    assert by_language(edited, _translation(ENGLISH)) == {"en": edited, "fr": edited}


def test_an_author_who_wrote_both_languages_is_read_as_such() -> None:
    written = "Bilingual content management fixes / Correctifs du système de gestion de contenu"
    assert by_language(written, None) == {
        "en": "Bilingual content management fixes",
        "fr": "Correctifs du système de gestion de contenu",
    }


def test_without_a_translation_both_are_the_marketplaces() -> None:
    assert by_language(ENGLISH, None) == {"en": ENGLISH, "fr": ENGLISH}
