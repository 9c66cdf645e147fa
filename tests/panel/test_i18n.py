"""Both official languages: complete catalogs, the toggle, and Canadian formats."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.panel.i18n import money, number
from bridge.sync.models import Opportunity, QuarantinedRecord
from bridge.translations.service import save_translation
from tests.fakes.world import UNDER_REVIEW
from tests.panel.conftest import sign_in


@pytest.mark.usefixtures("synced")
def test_french_pages_are_in_french(signed_in: Callable[..., FlaskClient]) -> None:
    client = signed_in(Role.ADMIN)
    client.post("/language/fr")
    page = client.get("/opportunities/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Occasions" in page and "Codez avec nous" in page
    assert 'lang="en">English</button>' in page
    assert "30\u00a0000,00\u00a0$" in page
    run = client.get("/sync/runs/1").get_data(as_text=True)  # one English word, two French ones
    assert "Réussie" in run and '<th scope="col">En échec</th>' in run


@pytest.mark.usefixtures("synced")
def test_english_money_and_toggle(signed_in: Callable[..., FlaskClient]) -> None:
    client = signed_in(Role.ADMIN)
    page = client.get("/opportunities/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "$30,000.00" in page
    assert 'lang="fr">Français</button>' in page


def test_the_choice_is_remembered_on_the_account(app: Flask, make_user: Callable[..., str]) -> None:
    email = make_user(Role.VIEWER)
    first = app.test_client()
    sign_in(first, email)
    first.post("/language/fr")
    second = app.test_client()
    sign_in(second, email)
    assert "Tableau de bord" in second.get("/").get_data(as_text=True)


def test_the_browser_language_decides_before_any_choice(app: Flask) -> None:
    page = app.test_client().get("/sign-in", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert "Ouvrir une session" in page.get_data(as_text=True)


def test_money_formats(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en-CA"}):
        assert money(Decimal("10000")) == "$10,000.00"
    with app.test_request_context(headers={"Accept-Language": "fr-CA"}):
        assert money(Decimal("10000")) == "10\u00a0000,00\u00a0$"


@pytest.mark.parametrize("language", ["en-CA", "fr-CA"])
def test_money_writes_what_babel_writes(app: Flask, language: str) -> None:
    amounts = ["0", "0.5", "0.005", "0.015", "999.99", "1000", "10000.00", "1234567.891", "-25"]
    with app.test_request_context(headers={"Accept-Language": language}):
        for amount in map(Decimal, amounts):
            expected = format_currency(amount, "CAD", locale=language.replace("-", "_"))
            assert money(amount) == expected, amount


@pytest.mark.parametrize("language", ["en-CA", "fr-CA"])
def test_numbers_write_what_babel_writes(app: Flask, language: str) -> None:
    values: list[int | float | Decimal] = [0, 7, 999, 1000, 12345, 1234567, 10**9, -1500]
    values += [2.5, 1234.5, Decimal("1234.567")]
    with app.test_request_context(headers={"Accept-Language": language}):
        for value in values:
            expected = format_decimal(value, locale=language.replace("-", "_"))
            assert number(value) == expected, value


def test_form_errors_come_in_the_readers_language(app: Flask) -> None:
    client = app.test_client()
    client.post("/language/fr")
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Entrez votre adresse courriel." in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="email-error"' in page


def test_an_unknown_language_is_not_found(app: Flask) -> None:
    assert app.test_client().post("/language/de").status_code == 404


def test_the_language_is_changed_by_a_post_with_its_token_never_by_a_link(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.get("/language/fr").status_code == 405  # an image or a link elsewhere
    assert client.post("/language/fr").status_code == 400  # a form elsewhere: no token
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/language/fr", data={"csrf_token": token.group(1)}).status_code == 302
    assert 'lang="fr"' in client.get("/sign-in").get_data(as_text=True)


@pytest.mark.usefixtures("synced")
def test_titles_show_in_the_readers_language_once_translated(
    signed_in: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    french = "Titre de l'occasion en cours d'examen"
    with transaction(sessions) as session:
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        english = opportunity.title
        save_translation(session, opportunity, "title", french, Actor.job("test-translator"))
    client = signed_in(Role.ADMIN)
    listing = client.get("/opportunities/?q=under").get_data(as_text=True).replace("&#39;", "'")
    assert english in listing and french not in listing
    client.post("/language/fr")
    for path in ("/opportunities/?q=under", f"/opportunities/{UNDER_REVIEW}"):
        page = client.get(path).get_data(as_text=True).replace("&#39;", "'")
        assert french in page, path


def test_quarantined_records_are_named_in_words(
    signed_in: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        session.add(
            QuarantinedRecord(
                record_kind="opportunity:code-with-us",
                record_key="k",
                record_id="abc",
                payload={},
                error="bad",
            )
        )
    client = signed_in(Role.ADMIN)
    client.post("/language/fr")
    page = client.get("/quarantine/").get_data(as_text=True)
    assert "Occasion (Codez avec nous) abc" in page and "opportunity:code-with-us" not in page
