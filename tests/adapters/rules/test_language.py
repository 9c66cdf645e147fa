"""Language detection as the Official Languages rule uses it."""

from __future__ import annotations

import pytest

from adapters.rules.language import detect_language, word_count

ENGLISH = (
    "The Department is seeking a developer to build an accessible web form that lets "
    "applicants upload supporting documents and track the status of their request."
)
FRENCH = (
    "Le Ministère cherche un développeur pour créer un formulaire Web accessible qui permet "
    "aux demandeurs de téléverser leurs pièces justificatives et de suivre leur demande."
)


def test_english_and_french_paragraphs() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(FRENCH) == "fr"


def test_french_with_english_product_names_is_still_french() -> None:
    text = (
        "Migrer le site de GitHub Pages vers Azure Static Web Apps avec une intégration continue."
    )
    assert detect_language(text) == "fr"


@pytest.mark.parametrize("text", ["Ottawa", "Remote", "Gatineau, QC", "", "   ", "2026-03-05"])
def test_texts_too_short_to_tell_are_not_judged(text: str) -> None:
    assert detect_language(text) is None


def test_markdown_urls_addresses_and_code_are_left_out() -> None:
    text = (
        "## Livrables\n\n- `npm run build` et `pytest -q`\n- voir https://example.gc.ca/docs et "
        "[la documentation](https://example.gc.ca/guide)\n- écrire à help@example.gc.ca\n\n"
        "```\nThe quick brown fox jumps over the lazy dog again and again\n```\n"
        "Les livrables sont remis au gestionnaire du projet à la fin de chaque étape."
    )
    assert detect_language(text) == "fr"
    assert word_count("`code only` https://x.ca a@b.ca 123 456") == 0
    assert word_count("**Bold** words, [link text](https://x.ca) and l\u2019été") == 6
