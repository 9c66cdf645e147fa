"""Language detection as the Official Languages rule uses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bridge.catalogs import TRANSLATIONS_DIR
from bridge.text import language
from bridge.text.language import MIN_WORDS, detect_language, word_count

ENGLISH = (
    "The Department is seeking a developer to build an accessible web form that lets "
    "applicants upload supporting documents and track the status of their request. The form "
    "must meet WCAG 2.1 AA and work with a keyboard and a screen reader."
)
FRENCH = (
    "Le Ministère cherche un développeur pour créer un formulaire Web accessible qui permet "
    "aux demandeurs de téléverser leurs pièces justificatives et de suivre l'état de leur "
    "demande. Le formulaire doit respecter les WCAG 2.1 AA et fonctionner au clavier et avec "
    "un lecteur d'écran."
)


def test_english_and_french_paragraphs() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(FRENCH) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "Migrer le site de GitHub Pages vers Azure Static Web Apps avec une intégration continue.",
        "Intégration continue avec GitHub Actions et Azure DevOps Pipelines",
        "Tests automatisés avec Playwright et GitHub Actions",
        "Tableau de bord Power BI pour les rapports de programme",
        "## Livrables\n\n- Code source sur GitHub\n- Déploiement sur Azure App Service",
    ],
)
def test_french_with_english_product_names_is_still_french(text: str) -> None:
    assert detect_language(text) == "fr"


def test_product_names_never_make_french_english() -> None:
    # Judged on "Migration vers et" alone, lingua is not sure enough: not judged, not misjudged.
    assert detect_language("Migration vers Microsoft Azure DevOps et GitHub Actions") is None


@pytest.mark.parametrize(
    "text",
    [
        "Automated testing with Playwright and GitHub Actions",
        "Senior Full Stack Developer",  # title case: every word is judged
        "We need a **Power BI** expert for Microsoft Fabric.",
    ],
)
def test_english_titles_and_names(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["Ottawa", "Remote", "Gatineau, QC", "", "   ", "2026-03-05"])
def test_texts_too_short_to_tell_are_not_judged(text: str) -> None:
    assert word_count(text) < MIN_WORDS
    assert detect_language(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Application mobile accessible",
        "Accessible mobile application",
        "Transport Communication Administration",
        "Information Distribution Service",
    ],
)
def test_words_both_languages_share_are_not_judged(text: str) -> None:
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


def test_code_and_addresses_alone_are_too_short() -> None:
    text = "```\nthe build runs every night on the main branch\n```\nhttps://example.gc.ca/guide"
    assert detect_language(text) is None


def test_one_detector_is_shared_between_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_detector", None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        detectors = list(pool.map(lambda _: language._shared_detector(), range(32)))
        found = list(pool.map(detect_language, [ENGLISH, FRENCH] * 8))
    assert len({id(detector) for detector in detectors}) == 1
    assert found == ["en", "fr"] * 8


class NoDetector:
    """Stands in for lingua where a text must be told by its function words alone."""

    def detect_language_of(self, text: str) -> None:
        raise AssertionError(f"the detector was asked about {text[:60]!r}")


def test_clear_prose_is_told_by_its_function_words_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_detector", NoDetector())
    detect_language.cache_clear()
    try:
        assert detect_language(ENGLISH + " ") == "en"
        assert detect_language(FRENCH + " ") == "fr"
    finally:
        detect_language.cache_clear()


@pytest.mark.parametrize(
    "sample",
    [
        f"{ENGLISH} {FRENCH}",  # both languages: the detector weighs them
        "Accessible upload form for the grants intake",  # a title: one function word
        "the the the the the et et",  # too close to call by counting
        "",
    ],
)
def test_mixed_short_or_close_samples_are_left_to_the_detector(sample: str) -> None:
    assert language.clear_language(sample.split()) is None


def _real_texts() -> list[str]:
    """Prose people wrote, long enough to be judged: every string of the captured marketplace
    answers, and the panel's messages in both languages."""

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    folder = Path(__file__).resolve().parents[1] / "fixtures" / "marketplace"
    found = [
        text
        for path in sorted(folder.glob("*.json"))
        for text in strings(json.loads(path.read_text(encoding="utf-8")))
    ]
    with (TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as catalog:
        for message in read_po(catalog):
            for text in (message.id, message.string):
                found += [text] if isinstance(text, str) else list(text or ())
    return list(dict.fromkeys(text for text in found if word_count(text) >= 10))


def test_what_the_function_words_tell_the_detector_tells_too() -> None:
    """Counting never decides against lingua: on every captured text it decides, lingua
    (asked directly, on the same sample) says the same."""
    detector = language._shared_detector()
    decided = 0
    for text in _real_texts():
        sample = language._without_names(text, language.SAMPLE_WORDS)
        clear = language.clear_language(sample)
        if clear is not None:
            decided += 1
            said = detector.detect_language_of(" ".join(sample))
            assert said is not None and language._CODES[said] == clear, text[:80]
    assert decided >= 50
