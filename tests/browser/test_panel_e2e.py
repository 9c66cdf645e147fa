"""A person's path through the panel in a real browser, checked with axe-core on every page, in
English and in French."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import APPROVER_EMAIL, LiveBridge
from tests.browser.steps import (
    assert_accessible,
    assert_one_language,
    choose_language,
    sign_in,
)
from tests.fakes.world import AWARDED, UNDER_REVIEW

PAGES = [
    "/",
    "/opportunities/",
    "/opportunities/?kind=code-with-us&status=PUBLISHED&q=Bridge",
    f"/opportunities/{AWARDED}",
    "/proposals/",
    "/awards/",
    "/sync/runs",
    "/sync/runs/1",
    "/quarantine/",
    "/users/",
    "/users/new",
    "/users/1",
    "/audit/",
    "/rules/attention",
    "/rules/settings",
    f"/opportunities/{UNDER_REVIEW}",
    f"/opportunities/{UNDER_REVIEW}/translations",
    "/translations/",
    "/departments/",
    "/departments/1",
    "/departments/unrouted",
    "/approvals/",
    "/approvals/1",
    "/approvals/alerts",
    "/approvals/alerts/1",
    "/notifications/",
    "/departments/1/chain",
    f"/awards/{AWARDED}",
    "/awards/reports",
    "/awards/reports?period=Q&format=csv",
    "/awards/deliveries",
    "/contracts/",
    "/contracts/terms",
    "/outcomes/",
    "/outcomes/?period=2026&kind=code-with-us",
    "/no-such-page",
]


def test_sign_in_browse_run_a_sync_and_sign_out_in_both_languages(
    live_bridge: LiveBridge, page: Any
) -> None:
    base = live_bridge.url
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/sign-in")
    assert_accessible(page, "sign-in (en)")
    page.click("#email")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # an empty submit shows errors tied to their fields
    assert page.locator(".error-summary").is_visible()
    assert page.get_attribute("#email", "aria-invalid") == "true"
    assert_accessible(page, "sign-in with errors (en)")

    sign_in(page, base)
    assert page.locator("h1").inner_text() == "Dashboard"
    for path in PAGES:
        page.goto(f"{base}{path}")
        assert_accessible(page, f"{path} (en)")
        assert_one_language(page, "en", path)

    page.goto(f"{base}/sync/runs")
    page.click("text=Run a sync now")
    assert "A sync has started" in page.locator(".alert").inner_text()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(f"{base}/sync/runs")
        if page.locator("text=Run 2").count():
            break
        time.sleep(0.3)
    page.click("text=Run 2")
    assert page.locator("h1").inner_text() == "Run 2"

    page.click("text=Français")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("h1").inner_text() == "Exécution 2"
    for path in PAGES:
        page.goto(f"{base}{path}")
        assert page.get_attribute("html", "lang") == "fr"
        assert_accessible(page, f"{path} (fr)")
        assert_one_language(page, "fr", path)
    page.goto(f"{base}/users/new")
    page.click("form.form button[type=submit]")
    assert "Il y a un problème" in page.locator(".error-summary").inner_text()
    assert_accessible(page, "user form with errors (fr)")

    page.click("text=Fermer la session")
    assert page.url.startswith(f"{base}/sign-in")
    assert "Votre session est fermée." in page.locator(".alert").inner_text()
    assert_accessible(page, "signed out (fr)")
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/sign-in")


def test_keyboard_users_reach_the_content_first(live_bridge: LiveBridge, page: Any) -> None:
    sign_in(page, live_bridge.url)
    choose_language(page, live_bridge.url, "en")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_reflow_without_horizontal_scrolling(
    live_bridge: LiveBridge, page: Any, width: int
) -> None:
    sign_in(page, live_bridge.url)
    page.set_viewport_size({"width": width, "height": 800})
    for path in PAGES:
        page.goto(f"{live_bridge.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, path


def test_a_translator_fills_the_french_side_by_side_and_the_finding_clears(
    live_bridge: LiveBridge, page: Any
) -> None:
    base = live_bridge.url
    sign_in(page, base)
    for language, preview in (("en", "Preview"), ("fr", "Aperçu")):
        choose_language(page, base, language)
        editor = f"{base}/opportunities/{UNDER_REVIEW}/translations"
        page.goto(editor)
        assert_accessible(page, f"translation editor ({language})")
        page.set_viewport_size({"width": 1280, "height": 800})
        source = page.locator(".pair__source").first.bounding_box()
        target = page.locator(".pair__target").first.bounding_box()
        assert source and target and target["x"] > source["x"] + source["width"] - 1  # side by side
        assert abs(target["y"] - source["y"]) < 2
        page.fill("#text-teaser", "Un **aperçu** du texte en français pour ce lot de travail.")
        page.click(f"button:has-text('{preview}')")
        assert page.locator(".preview strong").inner_text() == "aperçu"
        assert_accessible(page, f"translation editor preview ({language})")
    choose_language(page, base, "en")
    page.goto(f"{base}/opportunities/{UNDER_REVIEW}/translations")
    missing = page.locator("#text-title-heading .badge").count()
    assert missing == 1
    page.fill("#text-title", "Application accessible de gestion des demandes de service")
    page.click("button:has-text('Save translations')")
    assert "1 translation saved." in page.locator(".alert").inner_text()  # singular
    assert page.locator("#text-title-heading .badge").count() == 0
    assert_accessible(page, "translation editor after saving (en)")
    page.goto(f"{base}/rules/settings")
    page.fill("#cap_amount", "-1")
    page.click("form.form button[type=submit]")
    assert page.get_attribute("#cap_amount", "aria-invalid") == "true"
    assert_accessible(page, "rule settings with errors (en)")


def test_an_approver_decides_from_the_queue_in_both_languages(
    live_bridge: LiveBridge, page: Any
) -> None:
    base = live_bridge.url
    sign_in(page, base, APPROVER_EMAIL)
    for language, heading in (("en", "Approvals"), ("fr", "Approbations")):
        choose_language(page, base, language)
        page.goto(f"{base}/approvals/")
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page, f"approver queue ({language})")
        page.click("table tbody a")
        assert page.url.endswith("/approvals/1")
        assert_accessible(page, f"decision page ({language})")
    # In French: a request for changes without a comment is refused, then recorded.
    page.get_by_role("button", name="Demander des modifications").click()
    assert "Dites ce qui doit changer." in page.locator(".alert").inner_text()
    assert_accessible(page, "refused decision (fr)")
    page.fill("#comment", "Précisez les livrables attendus.")
    page.get_by_role("button", name="Demander des modifications").click()
    assert "Votre décision est enregistrée." in page.locator(".alert").inner_text()
    assert "Modifications demandées" in page.locator("table tbody").inner_text()
    assert_accessible(page, "queue after the decision (fr)")


def test_an_administrator_saves_the_rule_settings_typing_numbers_their_way(
    live_bridge: LiveBridge, page: Any
) -> None:
    base = live_bridge.url
    sign_in(page, base)
    for language, cap, ratio, saved, shown in (
        ("fr", "12 000,00", "0,75", "Paramètres enregistrés.", "12 000,00"),
        ("en", "10,000.00", "0.8", "Settings saved.", "10,000.00"),
    ):
        choose_language(page, base, language)
        page.goto(f"{base}/rules/settings")
        assert page.get_attribute("#cap_amount", "inputmode") == "decimal"
        page.fill("#cap_amount", "")
        page.type("#cap_amount", cap)  # keystroke by keystroke, as a person types
        page.fill("#similarity_threshold", "")
        page.type("#similarity_threshold", ratio)
        page.click("form.form button[type=submit]")
        assert saved in page.locator(".alert").first.inner_text()
        page.goto(f"{base}/rules/settings")
        assert (
            page.input_value("#cap_amount").replace("\u202f", " ").replace("\u00a0", " ") == shown
        )
        assert_accessible(page, f"rule settings saved ({language})")
    page.fill("#cap_amount", "100,000,000")
    page.click("form.form button[type=submit]")
    assert "99,999,999.99" in page.locator(".error-summary").inner_text()  # bounds, grouped
