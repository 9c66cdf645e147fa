"""What a person does in the panel, as browser steps the browser tests share."""

from __future__ import annotations

from typing import Any

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
