"""The catalogs against the code: every message extracted afresh has French, none is fuzzy,
placeholders agree, counts have plural forms, and French typography holds.

The extraction runs here, on the code as it is, so a new ``_()`` that nobody extracted fails
the suite instead of showing in English on a French page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bridge.catalogs import TRANSLATIONS_DIR
from bridge.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
NBSP = "\u00a0\u202f"  # a no-break space, or the narrow one
# A number a sentence counts things with: the message needs plural forms.
COUNTED = re.compile(r"%\((count|num)\)[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages of the code as it is now, extracted as ``scripts/update-catalogs`` does."""
    template = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "N_plural:1,2",
            "-k",
            "lazy_count:1,2",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return _read(template)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def french() -> Catalog:
    return _read(TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po", "fr")


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value or ""]


def test_every_message_of_the_code_is_in_the_catalogs(extracted: Catalog, french: Catalog) -> None:
    template = _read(TRANSLATIONS_DIR / "messages.pot")
    fresh = {message.id for message in _messages(extracted)}
    assert fresh - {message.id for message in _messages(template)} == set(), (
        "messages nobody extracted: run scripts/update-catalogs"
    )
    assert fresh - {message.id for message in _messages(french)} == set()


def test_every_french_message_is_translated_and_checked(french: Catalog) -> None:
    missing = [m.id for m in _messages(french) if not all(_forms(m.string))]
    fuzzy = [m.id for m in _messages(french) if m.fuzzy]
    assert missing == [] and fuzzy == []


def test_placeholders_agree(french: Catalog) -> None:
    wrong = []
    for message in _messages(french):
        expected = set().union(*(PLACEHOLDER.findall(text) for text in _forms(message.id)))
        for form in _forms(message.string):
            found = set(PLACEHOLDER.findall(form))
            # A singular form may say "une" instead of the number; nothing else may go.
            allowed_missing = {"num", "count"} if isinstance(message.id, tuple) else set()
            if found - expected or expected - found - allowed_missing:
                wrong.append((message.id, form))
    assert wrong == []


def test_counts_have_plural_forms_with_the_french_rule(french: Catalog) -> None:
    assert french.plural_expr == "(n > 1)"  # 0 and 1 are singular in French
    blind = [m.id for m in _messages(french) if isinstance(m.id, str) and COUNTED.search(m.id)]
    assert blind == [], "use ngettext, with the count as num or count"
    assert all(len(_forms(m.string)) == 2 for m in _messages(french) if isinstance(m.id, tuple))


# A department's name takes its own article (du, de la, des, de l'), a title may begin with a
# vowel (d'): French sentences name them after a colon, in parentheses or in guillemets.
NEEDS_ARTICLE = re.compile(r"\b(de|du|à|au) %\((department|title)\)s")


def test_no_article_or_elision_before_a_name_the_sentence_cannot_know(french: Catalog) -> None:
    found = [
        form
        for message in _messages(french)
        for form in _forms(message.string)
        if NEEDS_ARTICLE.search(form)
    ]
    assert found == []


def _typography_problems(text: str) -> list[str]:
    """Canadian French (the Translation Bureau's usage): a no-break space before a colon and
    inside guillemets; none before ; ! ? (an ordinary space there breaks lines badly)."""
    problems = []
    for match in re.finditer(r":", text):
        before, after = text[: match.start()], text[match.end() :]
        if after.startswith("//") or (before[-1:].isdigit() and after[:1].isdigit()):
            continue  # an address, a time
        if not before or before[-1] not in NBSP:
            problems.append(f"no no-break space before ':' in {text!r}")
    if re.search(r"«(?![\u00a0\u202f])", text) or re.search(r"(?<![\u00a0\u202f])»", text):
        problems.append(f"guillemets without no-break spaces in {text!r}")
    if re.search(r" [;!?]", text):
        problems.append(f"an ordinary space before ; ! or ? in {text!r}")
    return problems


def test_french_typography(french: Catalog) -> None:
    problems = [
        problem
        for message in _messages(french)
        for form in _forms(message.string)
        for problem in _typography_problems(form)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Ministère\u00a0: %(name)s", True),
        ("Ministère : %(name)s", False),
        ("Ministère: %(name)s", False),
        ("à 14:30, voir https://example.gc.ca", True),
        ("l'étape «\u00a0%(step)s\u00a0»", True),
        ("l'étape « %(step)s »", False),
        ("Vraiment ?", False),
    ],
)
def test_the_typography_check_itself(text: str, ok: bool) -> None:
    assert (_typography_problems(text) == []) is ok
