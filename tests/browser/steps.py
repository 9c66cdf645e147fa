"""What a person does in the panel, as browser steps the browser tests share."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from babel.messages.pofile import read_po

from bridge.catalogs import TRANSLATIONS_DIR
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, axe_violations


def sign_in(page: Any, base: str, email: str = ADMIN_EMAIL) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def choose_language(page: Any, base: str, language: str) -> None:
    """With the toggle, as a person does (the toggle offers the language not shown)."""
    page.goto(f"{base}/")
    toggle = page.locator(f".gc-lang button[lang={language}]")
    if toggle.count():
        toggle.click()
    assert page.get_attribute("html", "lang") == language


def assert_accessible(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value or ""]


def _sentence(text: str) -> bool:
    return bool(text) and "%(" not in text and "\n" not in text and len(text.split()) >= 3


@cache
def _phrases() -> dict[str, frozenset[str]]:
    """Language → the catalog's sentences in it that differ in the other: what must not show on
    a page in the other language. Sentences of three words or more, without placeholders (a
    word such as "Description" is the same in both)."""
    with (TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    phrases: dict[str, set[str]] = {"en": set(), "fr": set()}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        english = _forms(message.id)
        french = _forms(message.string)
        for language, texts, others in (("en", english, french), ("fr", french, english)):
            phrases[language].update(
                text for text in texts if _sentence(text) and text not in others
            )
    return {language: frozenset(found) for language, found in phrases.items()}


# An internal code: snake_case, a dotted action, an upper-case status (addresses left out).
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+_[a-z_]+\b|\b[A-Z]+_[A-Z_]+\b")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+")


def assert_one_language(page: Any, language: str, where: str) -> None:
    """No sentence of the catalog's other language on a page shown in ``language``, and no
    internal code shown as text."""
    other = "en" if language == "fr" else "fr"
    shown = " ".join(page.evaluate("document.body.innerText").split())
    # What a page shows as code on purpose (a file's column names) is not a stray code.
    for literal in page.locator("code").all_inner_texts():
        shown = shown.replace(literal, " ")
    strays = sorted(phrase for phrase in _phrases()[other] if phrase in shown)
    assert strays == [], f"{where}: {strays[:5]}"
    codes = sorted(set(CODE.findall(ADDRESS.sub(" ", shown))))
    assert codes == [], f"{where}: codes shown {codes[:5]}"
